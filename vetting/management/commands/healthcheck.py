"""`manage.py healthcheck web|worker|beat`: exit status 0 when healthy, 1 otherwise (compose).

- web: the server in this container answers /healthz/ready (database and broker reachable).
- worker: the Celery worker on this machine wrote its heartbeat recently, and the broker answers.
- beat: beat on this machine ticked recently.
"""

from django.core.management.base import BaseCommand, CommandError

from common import health
from vetting import healthcheck as web_healthcheck


class Command(BaseCommand):
    help = "Check the web server, the Celery worker or beat on this machine; non-zero if unhealthy."

    def add_arguments(self, parser):
        parser.add_argument("role", choices=["web", "worker", "beat"])
        parser.add_argument("--node", default=None, help="Machine name (default: this host's).")
        parser.add_argument("--url", default=web_healthcheck.READY_URL, help="For web.")

    def handle(self, *args, role, node, url, **options):
        if role == "web":
            if web_healthcheck.main(url) != 0:
                raise CommandError("web: unhealthy")
            self.stdout.write("web: ok")
            return
        if role == "worker":
            problems = [
                health.heartbeat_problem("worker", health.WORKER_STALE_SECONDS, node),
                health.broker_problem(),
            ]
        else:
            problems = [health.heartbeat_problem("beat", health.BEAT_STALE_SECONDS, node)]
        problems = [problem for problem in problems if problem]
        if problems:
            raise CommandError(f"{role}: " + "; ".join(problems))
        self.stdout.write(f"{role}: ok")
