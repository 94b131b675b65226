import datetime
from decimal import Decimal

from ninja import Schema


class OfferIn(Schema):
    offer_type: str = "certifying"
    certification: str | None = None  # code, e.g. RNCP40344 or 40344 with registry
    registry: str | None = None
    blocks: list[str] = []
    blocks_customisable: bool | None = None
    internal_id: str
    title: str = ""
    pedagogical_objectives: str = ""
    content: str = ""
    strengths: str = ""
    expected_results: str = ""
    course_type: str = ""


class OfferPatch(Schema):
    version: int | None = None
    internal_id: str | None = None
    title: str | None = None
    pedagogical_objectives: str | None = None
    content: str | None = None
    strengths: str | None = None
    expected_results: str | None = None
    course_type: str | None = None


class BlocksIn(Schema):
    blocks: list[str]
    blocks_customisable: bool | None
    version: int | None = None


class SessionOut(Schema):
    id: int
    internal_id: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    enrolment_state: str
    capacity: int | None
    registration_address: str


class ActionOut(Schema):
    id: int
    internal_id: str
    modality: str
    place_name: str
    address: str
    postal_code: str
    city: str
    hours_in_centre: int
    hours_in_company: int
    price_excl_vat: Decimal
    vat_rate: Decimal
    price_incl_vat: Decimal
    exam_fees_included: bool
    admission_conditions: str
    prerequisites: str
    accessibility: str
    contact_name: str
    contact_email: str
    contact_phone: str
    sessions: list[SessionOut]


class OfferOut(Schema):
    id: int
    internal_id: str
    offer_type: str
    status: str
    version: int
    certification: str | None
    cpf_code: str
    blocks: list[str]
    blocks_customisable: bool | None
    perimeter: str | None
    title: str
    general_objective: str
    pedagogical_objectives: str
    content: str
    strengths: str
    expected_results: str
    course_type: str
    warnings: list[str]
    actions: list[ActionOut]


class ActionIn(Schema):
    internal_id: str
    modality: str = "on_site"
    place_name: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    hours_in_centre: int = 0
    hours_in_company: int = 0
    price_excl_vat: Decimal = Decimal("0")
    vat_rate: Decimal = Decimal("20")
    price_incl_vat: Decimal = Decimal("0")
    exam_fees_included: bool = True
    admission_conditions: str = ""
    prerequisites: str = ""
    accessibility: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


class SessionIn(Schema):
    internal_id: str
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    enrolment_state: str = "open"
    capacity: int | None = None
    registration_address: str = ""


class ErrorOut(Schema):
    rule: str = ""
    field: str = ""
    message: str
