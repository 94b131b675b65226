"""The CPF balance ledger: a dossier debits its holder once at acceptance and credits back at most once.

The unique constraint on (dossier, kind) makes "debited at most once" hold in the database too.
Call these inside the transaction that changes the dossier, which is locked.
"""

from decimal import Decimal

from parcours.accounts.models import HolderProfile, User
from parcours.accounts.services import set_cpf_balance
from parcours.core.errors import DomainError

from .enums import MovementKind
from .models import BalanceMovement, Dossier


def lock_holder(dossier: Dossier) -> HolderProfile:
    return HolderProfile.objects.select_for_update().get(user_id=dossier.holder_id)


def _move(dossier: Dossier, actor: User | None, kind: MovementKind, amount: Decimal) -> BalanceMovement | None:
    if amount <= 0:
        return None
    if BalanceMovement.objects.filter(dossier=dossier, kind=kind).exists():
        raise DomainError(
            f"Le solde CPF a déjà fait l'objet d'un {kind.label.lower()} pour ce dossier.",
            rule="EDO-1",
            field="cpf_balance",
        )
    profile = lock_holder(dossier)
    balance = profile.cpf_balance + (amount if kind == MovementKind.CREDIT else -amount)
    set_cpf_balance(profile, balance)
    return BalanceMovement.objects.create(
        holder=profile,
        dossier=dossier,
        kind=kind,
        amount=amount,
        balance_after=balance,
        actor=actor if actor and actor.pk else None,
    )


def debit(dossier: Dossier, actor: User | None, amount: Decimal) -> BalanceMovement | None:
    return _move(dossier, actor, MovementKind.DEBIT, amount)


def credit(dossier: Dossier, actor: User | None, amount: Decimal) -> BalanceMovement | None:
    debited = BalanceMovement.objects.filter(dossier=dossier, kind=MovementKind.DEBIT).first()
    if debited is None or amount > debited.amount:
        raise DomainError(
            "On ne recrédite que ce qui a été débité du solde CPF pour ce dossier.", rule="EDO-1", field="cpf_balance"
        )
    return _move(dossier, actor, MovementKind.CREDIT, amount)
