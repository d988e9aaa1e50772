"""DRF's authtoken kept API keys in clear text and never expired them. vetting no longer installs
rest_framework.authtoken: drop its table, so none of those keys works or can be read again, and
its content types and admin permissions. Users obtain new tokens (accounts.ApiToken)."""

from django.db import migrations

OLD_TABLE = "authtoken_token"


def drop_clear_text_keys(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(OLD_TABLE)}")
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Deleting the content types deletes their permissions and any grants of them.
    ContentType.objects.filter(app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_api_tokens"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        # Admin log entries point at content types too.
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.RunPython(drop_clear_text_keys, migrations.RunPython.noop, elidable=False),
    ]
