
import cases.models
from django.db import migrations, models

BATCH = 500


def recompute_identity_keys(apps, schema_editor):
    """Name keys, phone numbers in E.164 and account-number blind indexes for the rows saved
    before them. The numbers are decrypted with the app's field keys (the historical field is
    cases.crypto.EncryptedTextField), as rotate_field_keys reads them."""
    from cases import crypto
    from common import normalize

    Candidate = apps.get_model("cases", "Candidate")
    CandidateContact = apps.get_model("cases", "CandidateContact")
    regions = {}
    for candidate in Candidate.objects.order_by("pk").iterator(chunk_size=BATCH):
        regions[candidate.pk] = normalize.phone_region(candidate.claimed_country)
        name_key = normalize.name_key(candidate.legal_name)
        account_index = crypto.account_number_index(candidate.account_number)
        if (name_key, account_index) != (candidate.name_key, candidate.account_number_index):
            Candidate.objects.filter(pk=candidate.pk).update(
                name_key=name_key, account_number_index=account_index
            )
    phones = CandidateContact.objects.filter(kind="phone").order_by("pk")
    for contact in phones.iterator(chunk_size=BATCH):
        key = normalize.normalize_phone(contact.value, regions.get(contact.candidate_id))
        if key != contact.normalized:
            CandidateContact.objects.filter(pk=contact.pk).update(normalized=key)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_field_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='candidate',
            name='name_key',
            field=models.CharField(db_index=True, default='', editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name='historicalcandidate',
            name='name_key',
            field=models.CharField(db_index=True, default='', editable=False, max_length=200),
        ),
        migrations.AlterField(
            model_name='candidate',
            name='date_of_birth',
            field=models.DateField(blank=True, db_index=True, null=True, validators=[cases.models.validate_date_of_birth], verbose_name='date of birth'),
        ),
        migrations.AlterField(
            model_name='historicalcandidate',
            name='date_of_birth',
            field=models.DateField(blank=True, db_index=True, null=True, validators=[cases.models.validate_date_of_birth], verbose_name='date of birth'),
        ),
        migrations.RunPython(recompute_identity_keys, migrations.RunPython.noop),
    ]
