"""`manage.py verify_audit_chain`: recompute every audit event's hash and check the anchors.

Exit status 0 when the chain is intact, 1 with the first broken link named otherwise.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.selectors import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and its anchors; name the first broken link."

    def handle(self, *args, **options):
        verdict = verify_chain()
        if not verdict.intact:
            broken = verdict.first_broken
            where = f"event {broken['sequence']}" + (
                f" (id {broken['event_id']})" if broken["event_id"] else ""
            )
            raise CommandError(
                f"Audit chain broken at {where}: {broken['reason']}. "
                f"{verdict.checked} events before it verified."
            )
        self.stdout.write(
            f"Audit chain intact: {verdict.checked} events verified up to event "
            f"{verdict.head_sequence}, {verdict.redacted} redacted by purges with a record, "
            f"{verdict.anchors_checked} anchors matched."
        )
        if verdict.unsealed:
            self.stdout.write(
                f"{verdict.unsealed} recent events are not sealed yet; the sealer (every "
                f"{settings.VETTING_AUDIT_SEAL_SECONDS} s with a worker) or the next anchor "
                "seals them."
            )
