"""Hypothesis walks random sequences of the dossier's actions — by the right people, by intruders,
with time passing and the deadline task running — and checks the invariants after every step:

- every dossier prepares at least one block (DOS-3);
- a validated dossier never changes (DOS-5);
- the CPF balance is debited at most once per dossier, credited back at most once, and never lost:
  balance = initial − debits + credits, a cancellation by the organisation gives everything back,
  one by the holder everything but the COM-2 fee;
- every state reached is one EDO-1 allows, by a transition of its table;
- a session never holds more trainees than its places (COM-5);
- every refusal is a DomainError naming its rule and field.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from parcours.accounts.models import HolderProfile
from parcours.core.errors import DomainError
from parcours.dossiers import evaluations, services, training
from parcours.dossiers.commercial import cancellation_quote
from parcours.dossiers.deadlines import apply_deadlines
from parcours.dossiers.enums import OCCUPYING_STATES, DossierState, ExitReason, MovementKind, Side
from parcours.dossiers.machine import TRANSITIONS
from parcours.dossiers.models import BalanceMovement, Dossier, DossierEvent
from parcours.dossiers.proposal import proposal_values, update_proposal
from tests.factories import holder

from .conftest import BLOCKS
from .flow import proof

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 11, 2)  # a Monday, 9 days before 11 November
CAPACITY = 2
RULE_ID = re.compile(r"^[A-Z]{3}-\d+$")
pick = st.integers(min_value=0, max_value=20)
S = DossierState
AIMS = {
    "position": [S.NOT_PROCESSED],
    "validate": [S.NOT_PROCESSED],
    "refuse": [S.NOT_PROCESSED],
    "cancel": [S.VALIDATED, S.ACCEPTED],
    "copy": [S.CANCELLED_BY_ORGANISATION],
    "entry": [S.ACCEPTED],
    "exit": [S.IN_TRAINING],
    "service": [S.EXITED],
    "bill": [S.SERVICE_VALIDATED, S.TO_BILL],
}


class DossierMachine(RuleBasedStateMachine):
    def __init__(self, world):
        super().__init__()
        self.world = world
        self.atomic = transaction.atomic()  # each run in a savepoint, rolled back at its end
        self.atomic.__enter__()
        world["clock"].set(START)
        # The third holder cannot pay the whole price (1 200 €) from their CPF balance.
        HolderProfile.objects.filter(user=world["holders"][2]).update(cpf_balance=Decimal(700))
        self.initial = {h.pk: HolderProfile.objects.get(user=h).cpf_balance for h in world["holders"]}
        self.ids: list[int] = []
        self.snapshots: dict[int, dict] = {}
        self.versions = 0

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # -- helpers -----------------------------------------------------------------------------
    def attempt(self, action, *args, **kwargs):
        try:
            return action(*args, **kwargs)
        except DomainError as error:
            assert RULE_ID.match(error.rule), error.as_dict()
            assert error.field and error.message, error.as_dict()
            return None

    def dossier(self, index: int, *states: str) -> Dossier:
        """The index-th dossier; among those in `states` when there are (most actions aim where they
        apply, else the walk would rarely leave the first states), else among all."""
        candidates = list(Dossier.objects.filter(pk__in=self.ids, state__in=states).order_by("pk")) if states else []
        if candidates and index % 4:  # a quarter of the time, anywhere: the refusals are tested too
            return candidates[index % len(candidates)]
        return Dossier.objects.get(pk=self.ids[index % len(self.ids)])

    @property
    def manager(self):
        return self.world["manager"]

    def today(self) -> datetime.date:
        return self.world["clock"].today()

    def snapshot(self, dossier: Dossier) -> dict:
        return {**proposal_values(dossier), "blocks": dossier.block_codes(), "copy": dossier.offer_copy}

    # -- the holder ------------------------------------------------------------------------------
    @rule(who=st.integers(min_value=0, max_value=2))
    def enrol(self, who):
        dossier = self.attempt(services.enrol, actor=self.world["holders"][who], session_id=self.world["session"].pk)
        if dossier is not None:
            self.ids.append(dossier.pk)

    @precondition(lambda self: self.ids)
    @rule(i=pick, action=st.sampled_from(["accept", "accept_paying", "refuse", "cancel"]))
    def holder_acts(self, i, action):
        dossier = self.dossier(i, S.ACCEPTED if action == "cancel" else S.VALIDATED)
        if action.startswith("accept"):
            self.attempt(services.accept_proposal, dossier.pk, dossier.holder, pay_remainder=action == "accept_paying")
        elif action == "refuse":
            self.attempt(services.refuse_proposal, dossier.pk, dossier.holder)
        else:
            fee = cancellation_quote(dossier, side=Side.HOLDER).fee.amount
            self.attempt(services.cancel_by_holder, dossier.pk, dossier.holder, confirmed_fee=fee)

    # -- the organisation ---------------------------------------------------------------------------
    @precondition(lambda self: self.ids)
    @rule(
        i=pick,
        blocks=st.one_of(st.none(), st.sets(st.sampled_from(BLOCKS), max_size=4)),  # None: unchanged
        rewrite=st.booleans(),
        price=st.sampled_from([None, Decimal(600), Decimal(1000), Decimal(1400)]),
        starts_in=st.one_of(st.none(), st.integers(min_value=5, max_value=40)),
        confirm=st.sets(st.sampled_from(["duration", "price"])),
    )
    def edit(self, i, blocks, rewrite, price, starts_in, confirm):
        values: dict = {}
        if rewrite:
            self.versions += 1
            texts = ("title", "pedagogical_objectives", "expected_results", "content")
            values.update({f: f"Version {self.versions}" for f in texts})
        if price is not None:
            values["price_excl_vat"] = price
        if starts_in is not None:
            starts_on = self.today() + datetime.timedelta(days=starts_in)
            values.update(session_starts_on=starts_on, session_ends_on=starts_on + datetime.timedelta(days=5))
        self.attempt(
            update_proposal,
            self.dossier(i, S.NOT_PROCESSED).pk,
            self.manager,
            values=values,
            block_codes=None if blocks is None else sorted(blocks),
            confirm_unchanged=confirm,
        )

    @precondition(lambda self: self.ids)
    @rule(
        i=pick,
        action=st.sampled_from(
            ["position", "validate", "refuse", "cancel", "copy", "entry", "exit", "service", "bill"]
        ),
        reason=st.sampled_from(ExitReason.values),
        rate=st.sampled_from([Decimal(0), Decimal(50), Decimal(100)]),
    )
    def organisation_acts(self, i, action, reason, rate):
        dossier, manager, today = self.dossier(i, *AIMS[action]), self.manager, self.today()
        if action == "position":
            self.attempt(evaluations.record_positioning_interview, dossier.pk, manager, held_on=today, proof=proof())
        elif action == "validate":  # mostly after preparing it; else as it is, to meet the refusals
            self.attempt(self._propose if i % 3 else self.validate_dossier, dossier)
        elif action == "refuse":
            self.attempt(services.refuse_request, dossier.pk, manager, reason="Prérequis non remplis.")
        elif action == "cancel":
            self.attempt(services.cancel_by_organisation, dossier.pk, manager, reason="Erreur à corriger.")
        elif action == "copy":
            copied = self.attempt(services.copy_dossier, dossier.pk, manager)
            if copied is not None:
                self.ids.append(copied.pk)
        elif action == "entry":
            self.attempt(training.declare_entry, dossier.pk, manager, entered_on=today)
        elif action == "exit":
            self.attempt(training.declare_exit, dossier.pk, manager, exited_on=today, reason=reason)
        elif action == "service":
            self.attempt(training.declare_service_done, dossier.pk, manager, completion_rate=rate, absence_hours=0)
        else:
            self.attempt(training.open_billing, dossier.pk, manager)
            self.attempt(training.bill, dossier.pk, manager, invoice_number=f"F-{dossier.pk}")

    @precondition(lambda self: self.ids)
    @rule(i=pick, steps=st.integers(min_value=1, max_value=2))
    def progress(self, i, steps):
        """The next `steps` of the dossier's usual life, by whoever takes them, letting time pass when
        needed: random single steps rarely go deep, this walks the whole table."""
        for _ in range(steps):
            self._next_step(self.dossier(i))

    def _next_step(self, dossier):
        manager, clock = self.manager, self.world["clock"]
        step = {
            DossierState.NOT_PROCESSED: self._propose,
            DossierState.VALIDATED: lambda d: services.accept_proposal(d.pk, d.holder, pay_remainder=True),
            DossierState.ACCEPTED: self._enter,
            DossierState.IN_TRAINING: lambda d: training.declare_exit(
                d.pk, manager, exited_on=self.today(), reason=ExitReason.PLANNED_END
            ),
            DossierState.EXITED: lambda d: training.declare_service_done(
                d.pk, manager, completion_rate=Decimal(90), absence_hours=Decimal(3)
            ),
            DossierState.SERVICE_DECLARED: lambda d: clock.set(max(self.today(), d.deadline_on)) and apply_deadlines(),
            DossierState.SERVICE_VALIDATED: lambda d: training.open_billing(d.pk),
            DossierState.TO_BILL: lambda d: training.bill(d.pk, manager, invoice_number=f"F-{d.pk}"),
            DossierState.BILLED: lambda d: training.record_payment(d.pk),
        }.get(DossierState(dossier.state))
        if step is not None:
            self.attempt(step, dossier)

    def _propose(self, dossier):
        if not hasattr(dossier, "positioning"):
            evaluations.record_positioning_interview(dossier.pk, self.manager, held_on=self.today(), proof=proof())
        starts_on = self.today() + datetime.timedelta(days=20)
        self.versions += 1
        update_proposal(
            dossier.pk,
            self.manager,
            values={
                **{
                    f: f"Proposition {self.versions}"
                    for f in ("title", "pedagogical_objectives", "expected_results", "content")
                },
                "session_starts_on": starts_on,
                "session_ends_on": starts_on + datetime.timedelta(days=5),
            },
            confirm_unchanged=["duration", "price"],
        )
        self.validate_dossier(dossier)

    def _enter(self, dossier):
        self.world["clock"].set(max(self.today(), dossier.session_starts_on))
        return training.declare_entry(dossier.pk, self.manager, entered_on=self.today())

    def validate_dossier(self, dossier):
        validated = services.validate_dossier(dossier.pk, self.manager)
        assert validated.pk not in self.snapshots
        self.snapshots[validated.pk] = self.snapshot(validated)

    # -- the Caisse des dépôts, time, intruders ---------------------------------------------------------
    @precondition(lambda self: self.ids)
    @rule(i=pick, control=st.booleans())
    def controller(self, i, control):
        dossier, controller = self.dossier(i, S.SERVICE_DECLARED, S.BILLED), self.world["controller"]
        if control:
            self.attempt(training.open_control, dossier.pk, controller, reason="Vérification.")
        else:
            self.attempt(training.validate_service_done, dossier.pk, controller)
            self.attempt(training.record_payment, dossier.pk, controller)

    @rule(days=st.integers(min_value=1, max_value=3))
    def time_passes(self, days):
        self.world["clock"].advance(days)
        apply_deadlines()

    @precondition(lambda self: self.ids)
    @rule(i=pick)
    def intruder(self, i):
        dossier = self.dossier(i)
        before = dossier.version
        stranger = self.world["intruder"]
        for action in (
            lambda: services.validate_dossier(dossier.pk, stranger),
            lambda: services.accept_proposal(dossier.pk, self.manager),
            lambda: update_proposal(dossier.pk, dossier.holder, values={"content": "x"}),
            lambda: services.cancel_by_holder(dossier.pk, self.manager, confirmed_fee=Decimal(0)),
        ):
            with pytest.raises(PermissionDenied):
                action()
        assert Dossier.objects.get(pk=dossier.pk).version == before

    # -- invariants --------------------------------------------------------------------------------------
    @invariant()
    def at_least_one_block(self):
        empty = Dossier.objects.filter(pk__in=self.ids).annotate(blocks_count=Count("blocks")).filter(blocks_count=0)
        assert not empty.exists()

    @invariant()
    def a_validated_dossier_never_changes(self):
        for dossier in Dossier.objects.filter(pk__in=self.snapshots).prefetch_related("blocks"):
            assert self.snapshot(dossier) == self.snapshots[dossier.pk]

    @invariant()
    def every_state_is_edo_1_s(self):
        states = set(Dossier.history.filter(id__in=self.ids).values_list("state", flat=True))
        assert states <= set(DossierState.values)
        last: dict[int, str] = {}
        events = DossierEvent.objects.filter(dossier_id__in=self.ids, verb__in=[*TRANSITIONS, "enrol", "copy"])
        for event in events.order_by("id"):
            if event.verb in TRANSITIONS:
                sources, target = TRANSITIONS[event.verb]
                assert event.from_state == last[event.dossier_id] and event.from_state in sources, event.verb
                assert event.to_state == target, event.verb
            last[event.dossier_id] = event.to_state
        for dossier_id, state in Dossier.objects.filter(pk__in=self.ids).values_list("pk", "state"):
            assert last[dossier_id] == state

    @invariant()
    def balance_debited_at_most_once_and_never_lost(self):
        movements: dict[int, dict[str, Decimal]] = {}
        for movement in BalanceMovement.objects.filter(dossier_id__in=self.ids):
            assert movement.kind not in movements.setdefault(movement.dossier_id, {})  # at most one of each
            movements[movement.dossier_id][movement.kind] = movement.amount
        for dossier in Dossier.objects.filter(pk__in=self.ids):
            debited = movements.get(dossier.pk, {}).get(MovementKind.DEBIT, Decimal(0))
            credited = movements.get(dossier.pk, {}).get(MovementKind.CREDIT, Decimal(0))
            assert debited == dossier.cpf_amount and credited == dossier.cpf_credited <= debited
            if dossier.accepted_on is None:
                assert debited == 0
            if dossier.state == DossierState.CANCELLED_BY_ORGANISATION:
                assert credited == debited and dossier.holder_refund == dossier.holder_amount
            elif dossier.state == DossierState.CANCELLED_BY_HOLDER:
                assert credited == debited - min(dossier.cancellation_fee, debited)
            else:
                assert credited == 0
        totals = {
            (row["holder__user"], row["kind"]): row["total"]
            for row in BalanceMovement.objects.values("holder__user", "kind").annotate(total=Sum("amount"))
        }
        for user_id, balance in HolderProfile.objects.filter(user__in=self.world["holders"]).values_list(
            "user", "cpf_balance"
        ):
            debits = totals.get((user_id, MovementKind.DEBIT), 0)
            credits = totals.get((user_id, MovementKind.CREDIT), 0)
            assert balance == self.initial[user_id] - debits + credits >= 0

    @invariant()
    def never_more_trainees_than_places(self):
        occupied = Dossier.objects.filter(session=self.world["session"], state__in=OCCUPYING_STATES).count()
        assert occupied <= CAPACITY


def test_random_sequences_keep_the_invariants(make_session, manager, people, clock):
    clock.set(START)
    world = {
        "session": make_session(starts_in=60, capacity=CAPACITY),
        "manager": manager,
        "holders": [holder(), holder(), holder()],
        "controller": people["cdc_controller"],
        "intruder": people["other_manager"],
        "clock": clock,
    }
    run_state_machine_as_test(
        lambda: DossierMachine(world),
        settings=settings(
            max_examples=50,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
