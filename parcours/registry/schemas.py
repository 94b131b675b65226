import datetime

from ninja import Schema


class CertifierOut(Schema):
    name: str
    siret: str | None


class BlockOut(Schema):
    code: str
    title: str
    competences: str
    evaluation: str


class CodeLabelOut(Schema):
    code: str
    label: str


class CertificationSummaryOut(Schema):
    code: str
    registry: str
    title: str
    level: int | None
    active: bool
    end_date: datetime.date | None


class CertificationOut(CertificationSummaryOut):
    number: int
    short_title: str
    declared_active: bool
    fiche_state: str
    registration_type: str
    partial_validation: bool | None
    url: str
    certifiers: list[CertifierOut]
    blocks: list[BlockOut]
    formacodes: list[CodeLabelOut]
    nsf: list[CodeLabelOut]
    rome: list[CodeLabelOut]
    replaced_by: list[str]
    replaces: list[str]


class ErrorOut(Schema):
    detail: str
