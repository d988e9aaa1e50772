"""Countries as codes, step 3 of 3: the free-text fields become two-letter code fields
(step 2 has already put a code or nothing in each)."""

import django_countries.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_countries_map'),
    ]

    operations = [
        migrations.AlterField(
            model_name='candidate',
            name='claimed_country',
            field=django_countries.fields.CountryField(blank=True, error_messages={'invalid_choice': '%(value)s is not an ISO 3166-1 alpha-2 country code.'}, max_length=2, verbose_name='claimed country of residence'),
        ),
        migrations.AlterField(
            model_name='candidate',
            name='claimed_nationality',
            field=django_countries.fields.CountryField(blank=True, error_messages={'invalid_choice': '%(value)s is not an ISO 3166-1 alpha-2 country code.'}, max_length=2, verbose_name='claimed nationality'),
        ),
        migrations.AlterField(
            model_name='historicalcandidate',
            name='claimed_country',
            field=django_countries.fields.CountryField(blank=True, error_messages={'invalid_choice': '%(value)s is not an ISO 3166-1 alpha-2 country code.'}, max_length=2, verbose_name='claimed country of residence'),
        ),
        migrations.AlterField(
            model_name='historicalcandidate',
            name='claimed_nationality',
            field=django_countries.fields.CountryField(blank=True, error_messages={'invalid_choice': '%(value)s is not an ISO 3166-1 alpha-2 country code.'}, max_length=2, verbose_name='claimed nationality'),
        ),
        migrations.AlterField(
            model_name='historicalhistoryentry',
            name='country',
            field=django_countries.fields.CountryField(blank=True, error_messages={'invalid_choice': '%(value)s is not an ISO 3166-1 alpha-2 country code.'}, max_length=2, verbose_name='country'),
        ),
        migrations.AlterField(
            model_name='historyentry',
            name='country',
            field=django_countries.fields.CountryField(blank=True, error_messages={'invalid_choice': '%(value)s is not an ISO 3166-1 alpha-2 country code.'}, max_length=2, verbose_name='country'),
        ),
    ]
