from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vetting.tasks import worker_health


class Command(BaseCommand):
    help = "Send a task to a Celery worker and wait for its answer (checks broker, worker and DB)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=20.0)

    def handle(self, *args, timeout, **options):
        if not settings.REDIS_URL:
            self.stdout.write("REDIS_URL is not set: tasks run in-process, no worker is needed.")
            return
        try:
            answer = worker_health.apply_async().get(timeout=timeout)
        except Exception as exc:
            raise CommandError(f"No worker answered within {timeout:g} s: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Worker answered: {answer}"))
