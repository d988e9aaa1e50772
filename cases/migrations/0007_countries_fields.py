"""Countries as codes, step 1 of 3: the new code fields and the legacy text fields."""

import django_countries.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_identity_keys'),
    ]

    operations = [
        migrations.AddField(
            model_name='candidate',
            name='bank_country',
            field=django_countries.fields.CountryField(blank=True, error_messages={'invalid_choice': '%(value)s is not an ISO 3166-1 alpha-2 country code.'}, max_length=2, verbose_name='bank country'),
        ),
        migrations.AddField(
            model_name='candidate',
            name='claimed_country_text',
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name='claimed country of residence as entered'),
        ),
        migrations.AddField(
            model_name='candidate',
            name='claimed_nationality_text',
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name='claimed nationality as entered'),
        ),
        migrations.AddField(
            model_name='candidate',
            name='shipping_country',
            field=django_countries.fields.CountryField(blank=True, error_messages={'invalid_choice': '%(value)s is not an ISO 3166-1 alpha-2 country code.'}, max_length=2, verbose_name='equipment shipping country'),
        ),
        migrations.AddField(
            model_name='historicalcandidate',
            name='bank_country',
            field=django_countries.fields.CountryField(blank=True, error_messages={'invalid_choice': '%(value)s is not an ISO 3166-1 alpha-2 country code.'}, max_length=2, verbose_name='bank country'),
        ),
        migrations.AddField(
            model_name='historicalcandidate',
            name='claimed_country_text',
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name='claimed country of residence as entered'),
        ),
        migrations.AddField(
            model_name='historicalcandidate',
            name='claimed_nationality_text',
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name='claimed nationality as entered'),
        ),
        migrations.AddField(
            model_name='historicalcandidate',
            name='shipping_country',
            field=django_countries.fields.CountryField(blank=True, error_messages={'invalid_choice': '%(value)s is not an ISO 3166-1 alpha-2 country code.'}, max_length=2, verbose_name='equipment shipping country'),
        ),
        migrations.AddField(
            model_name='historicalhistoryentry',
            name='country_text',
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name='country as entered'),
        ),
        migrations.AddField(
            model_name='historyentry',
            name='country_text',
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name='country as entered'),
        ),
    ]
