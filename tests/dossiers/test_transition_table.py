"""EDO-1's table: every state has its French label, is reachable from « Non traité », and every
transition says who performs it."""

from parcours.dossiers.enums import FINAL_STATES, DossierState
from parcours.dossiers.machine import ACTED_BY, TRANSITIONS, VERBS


def test_rule_edo_1_labels_word_for_word():
    assert [state.label for state in DossierState] == [
        "Non traité",
        "Validé",
        "Accepté",
        "En formation",
        "Sortie de formation",
        "Service fait déclaré",
        "Service fait validé",
        "À facturer",
        "Facturé",
        "Payé",
        "Refusé par l'organisme",
        "Refusé par le titulaire",
        "Annulé par le titulaire",
        "Annulé par l'organisme",
        "Annulé sans suite",
    ]


def test_rule_edo_1_every_state_is_reachable_and_final_states_have_no_way_out():
    reached, frontier = {DossierState.NOT_PROCESSED}, [DossierState.NOT_PROCESSED]
    while frontier:
        state = frontier.pop()
        for sources, target in TRANSITIONS.values():
            if state in sources and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(DossierState)
    assert not any(sources & FINAL_STATES for sources, _target in TRANSITIONS.values())


def test_every_transition_says_who_and_what():
    assert set(TRANSITIONS) == set(ACTED_BY) == set(VERBS)
