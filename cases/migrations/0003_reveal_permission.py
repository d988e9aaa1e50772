"""Drop the `cases.reveal_sensitive` model permission.

It was declared but never checked nor granted to any role: who may reveal protected numbers is
the role rule `cases.permissions.NUMBER_REVEALERS`, used by the pages, the API and the packets.
The stale Permission row is deleted too, so the admin no longer offers a grant that does nothing.
"""

from django.db import migrations


def delete_permission(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="cases", codename="reveal_sensitive"
    ).delete()


class Migration(migrations.Migration):
    # NB: 0003_contact_label_owner is being added on another branch; at merge this should
    # depend on it instead (or the merge gets a merge migration).
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cases", "0002_profiles_and_ip_addresses"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="case",
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.RunPython(delete_permission, migrations.RunPython.noop),
    ]
