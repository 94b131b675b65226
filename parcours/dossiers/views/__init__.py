"""The pages of enrolment dossiers (DOS, COM, EDO): parse, call a service, show its answer.

Every rule lives in the services; a page asks `policies` who may see and act, shows a
`DomainError` on its field (or as an alert when the field is not on the form) and redirects on
success. Dossiers others may not see answer 404; an action a viewer may not take answers 403.

One module per concern: `enrolment` (from the offer page), `listing` (the list, the dossier's page
and its actions), `actions` (the table of those actions), `proposal` (modify, validate, accept,
cancel), `documents` (PDFs and the positioning proof), `terms` (commercial terms); `common` holds
what they share.
"""
