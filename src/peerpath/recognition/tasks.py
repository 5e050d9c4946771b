"""Background work for recognition: emails go out from the worker, after the change that
caused them is committed, and the daily expiry run."""

from __future__ import annotations

from django_tasks import task

from peerpath.recognition import certifications

# --- Certifications --------------------------------------------------------------------


@task()
def send_expiry_reminders() -> int:
    """Daily: expire holdings past their date, then remind those expiring in 60/30/7 days."""
    certifications.awards_expire()
    return certifications.expiry_reminders_send()


@task()
def evaluate_certification(certification_id: int) -> int:
    """Certify the people who already meet a certification's (new) criteria."""
    return certifications.evaluate_certification(certification_id)


@task()
def send_award_notice(award_id: int) -> int:
    return certifications.send_award_notice(award_id)


@task()
def send_revocation_notice(award_id: int) -> int:
    return certifications.send_revocation_notice(award_id)


@task()
def send_expired_notice(award_id: int) -> int:
    return certifications.send_expired_notice(award_id)


@task()
def send_sign_off_requested(request_id: int) -> int:
    return certifications.send_sign_off_requested(request_id)


@task()
def send_sign_off_decided(request_id: int) -> int:
    return certifications.send_sign_off_decided(request_id)
