from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Webhooks: editors register an HTTPS endpoint with a list's filter, and the task queue's
    worker posts every change the filter selects to it, signed (README, "Webhooks")."""

    name = "policytracker.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from simple_history.signals import post_create_historical_record

        from policytracker.webhooks.tasks import nudge_after_commit

        # Every write of a tracked record leaves a history row: the worker is nudged once the
        # write commits (the periodic dispatch would find it within a minute anyway).
        post_create_historical_record.connect(
            nudge_after_commit, dispatch_uid="webhooks-nudge-after-commit"
        )
