"""Celery tasks for programs: thin, they take primary keys and call a service."""

from celery import shared_task

from core.tasks import as_id


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def enrollment_invitation_email_send(enrollment_id):
    """Email an invitation to someone who has no account yet (see the service)."""
    from programs.services.invitations import enrollment_invitation_email_deliver

    pk = as_id(enrollment_id)
    if pk is None:
        return False
    return enrollment_invitation_email_deliver(enrollment_id=pk)
