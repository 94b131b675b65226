"""The public catalogue's search engine: an embedded Tantivy index derived from the database.

One document per offer that could be public; what depends on the day (certification end date,
Qualiopi and habilitation periods, session start dates) is stored as dates and filtered at query
time, so an offer vanishes the day after its certification's end date without reindexing.
Research and measurements: docs/decisions/0004-public-search-tantivy.md.
"""

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings
from django.db.models import Count, Q
from tantivy import FieldType, Occur, Order, Query

from parcours.accounts.habilitations import TRAINING_KINDS
from parcours.catalogue import services as catalogue
from parcours.catalogue.enums import EnrolmentState, OfferStatus
from parcours.catalogue.models import Offer, OfferBlock
from parcours.registry.enums import AccreditationState
from parcours.registry.models import Accreditation, CertificationCertifier, CompetenceBlock, paris_today

from . import geo

TOKENIZER = "fr_v1"  # bump when the chain changes: the index must then be rebuilt
# tantivy's French stop words, accents folded (they come after ascii_fold), without "c" (C, C++).
FRENCH_STOPWORDS = """a ai aie aient aies ait au aurai auraient aurais aurait aurez auriez aurions aurons auront aux
avaient avais avait avec avez aviez avons ayant ayez ayons ce ces d dans de des du elle en es et etaient etais etait
etant etee etees etes etiez etions eu eue eues eumes eurent eus eusse eussent eusses eussiez eussions eut eutes eux
fumes furent fus fusse fussent fusses fussiez fussions fut futes il ils j je l la le les leur lui m ma mais me meme
mes moi mon n ne nos notre nous on ont ou par pas pour qu que qui s sa se sera serai seraient serais serait seras
serez seriez serions serons seront ses soient sois soit sont soyez soyons suis sur t ta te tes toi ton tu un une vos
votre vous y""".split()


def french_analyzer() -> Any:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.custom_stopword(FRENCH_STOPWORDS))
        .filter(tantivy.Filter.stemmer("french"))
        .build()
    )


FRENCH = french_analyzer()
TEXT_FIELDS = {"title": 3.0, "certification": 2.0, "organisation": 1.0, "places": 1.0, "content": 1.0}
KEYWORDS = (
    "registry",
    "certification_code",
    "offer_type",
    "modality",
    "department",
    "region",
    "city",
    "geo_cell",
    "formacode",
    "nsf",
    "rome",
    "perimeter",
    "customisable",
)
SCHEMA_VERSION = "v3"  # bump when the schema or the analyzer changes: a new folder, rebuilt by rebuild_search
SUMMARY_CHARS = 600
READER_REFRESH_SECONDS = 1.0
NO_START, NO_END = dt.date(1900, 1, 1), dt.date(2200, 1, 1)


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("offer_id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=name != "content", tokenizer_name=TOKENIZER)
    for name in KEYWORDS:
        builder.add_text_field(name, stored=False, fast=True, tokenizer_name="raw")
    builder.add_text_field("summary", stored=True, tokenizer_name=TOKENIZER)  # the card's snippet
    builder.add_bytes_field("card", stored=True)  # what a result shows, so a search page reads no table
    builder.add_float_field("lat", stored=True)  # one per located place, in the same order as lon
    builder.add_float_field("lon", stored=True)
    builder.add_integer_field("level", indexed=True, fast=True)
    builder.add_float_field("price_min", stored=True, indexed=True, fast=True)
    builder.add_date_field("visible_from", indexed=True, fast=True)
    builder.add_date_field("visible_until", indexed=True, fast=True)
    builder.add_date_field("open_session_starts", stored=True, indexed=True, fast=True)
    builder.add_date_field("next_start", indexed=True, fast=True)  # sort « date de début la plus proche »
    return builder.build()


SCHEMA = build_schema()


def day(value: dt.date) -> dt.datetime:
    """Calendar dates as UTC midnight (tantivy stores datetimes)."""
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


# -- the index on disk ------------------------------------------------------------------------
_lock = threading.Lock()
_index: Any = None
_index_path: Path | None = None
_reloaded_at = 0.0


def index() -> Any:
    """This process's handle on the index (created on first use), with the French analyzer."""
    global _index, _index_path
    path = Path(settings.SEARCH_INDEX_DIR) / f"offers-{SCHEMA_VERSION}"
    with _lock:
        if _index is None or _index_path != path:
            path.mkdir(parents=True, exist_ok=True)
            _index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
            _index.register_tokenizer(TOKENIZER, FRENCH)
            _index_path = path
        return _index


def fresh_index() -> Any:
    """The index for a query: a reader sees another process's commits within READER_REFRESH_SECONDS.

    Reloading costs a read of meta.json; once a second per process is enough, since the indexer
    itself commits at most that often under load.
    """
    global _reloaded_at
    idx = index()
    now = time.monotonic()
    if now - _reloaded_at >= READER_REFRESH_SECONDS:
        idx.reload()
        _reloaded_at = now
    return idx


def _reloaded() -> None:
    """This process wrote: its next query must see it at once."""
    global _reloaded_at
    index().reload()
    _reloaded_at = time.monotonic()


# -- from an offer to a document ----------------------------------------------------------------
def document_for(offer: Offer, today: dt.date | None = None, facts: "Facts | None" = None) -> dict[str, Any] | None:
    """The offer's document, or None when no day could make it public (index-time conditions)."""
    facts = facts or Facts.of([offer])
    today = today or paris_today()
    organisation = offer.organisation
    certification = offer.certification
    if offer.status != OfferStatus.VALIDATED or not organisation.is_training_organisation:
        return None
    if not organisation.qualiopi_training:
        return None
    starts = [organisation.qualiopi_valid_from or NO_START]
    ends = [organisation.qualiopi_valid_until or NO_END]
    if certification is not None:
        if not certification.declared_active:
            return None
        ends.append(certification.end_date or NO_END)
        period = facts.habilitation_period(offer, today)
        if period is None:
            return None
        starts.append(period[0])
        ends.append(period[1])
    sessions = [
        s.starts_on
        for a in offer.actions.all()
        for s in a.sessions.all()
        if s.enrolment_state == EnrolmentState.OPEN and s.starts_on
    ]
    actions = list(offer.actions.all())
    places = [geo.place_of(a.city, a.postal_code) for a in actions if a.city or a.postal_code]
    located = [p for p in places if p is not None and p.located]
    future = [d for d in sessions if d > today]
    perimeter = facts.perimeter(offer)
    text = " ".join(t for t in [offer.pedagogical_objectives, offer.content] if t)
    prices = [a.price_incl_vat for a in actions if a.price_incl_vat is not None]
    card = {
        "title": offer.title,
        "organisation": organisation.name,
        "certification_code": certification.code if certification else "",
        "place": ", ".join(sorted({a.city for a in actions if a.city})),
        "price": str(min(prices)) if prices else None,
        "customisable": offer.blocks_customisable,
        "perimeter": [perimeter.complete, perimeter.prepared, perimeter.total] if perimeter else None,
    }
    return {
        "offer_id": offer.pk,
        "title": offer.title,
        "certification": f"{certification.code} {certification.title}" if certification else "",
        "organisation": organisation.name,
        "places": " ".join(f"{a.city} {a.postal_code}" for a in actions),
        "content": " ".join([offer.pedagogical_objectives, offer.content, offer.expected_results, offer.strengths]),
        "registry": certification.registry if certification else "",
        "certification_code": certification.code if certification else "",
        "offer_type": offer.offer_type,
        "modality": [a.modality for a in actions],
        "department": sorted(
            {p.department for p in places if p} | {geo.department_of(a.postal_code) for a in actions if a.postal_code}
        ),
        "region": sorted({p.region for p in places if p}),
        "city": sorted({p.insee for p in places if p}),
        "geo_cell": sorted({c for p in located for c in geo.cells_of(p.lat, p.lon)}),  # type: ignore[arg-type]
        "lat": [p.lat for p in located],
        "lon": [p.lon for p in located],
        "formacode": [f.code for f in certification.formacodes.all()] if certification else [],
        "nsf": [n.code for n in certification.nsf_codes.all()] if certification else [],
        "rome": [r.code for r in certification.rome_codes.all()] if certification else [],
        "summary": text[:SUMMARY_CHARS],
        "card": json.dumps(card).encode(),
        "perimeter": ("complete" if perimeter.complete else "partial") if perimeter and perimeter.total else "",
        "customisable": "yes" if offer.blocks_customisable else "no",
        "level": certification.level or 0 if certification else 0,
        "price_min": float(min((a.price_incl_vat for a in actions), default=0)),
        "visible_from": day(max(starts)),
        "visible_until": day(min(ends)),
        "open_session_starts": [day(d) for d in sessions],
        "next_start": day(min(future or sessions or [NO_END])),
    }


@dataclass
class Facts:
    """What documents need beyond the offer's own rows, read for a whole batch of offers at once
    (a few set-based queries per 2,000 offers instead of four per offer)."""

    block_totals: dict[int, int]  # certification → its blocks
    prepared: dict[int, int]  # offer → its blocks still in the registry (OFF-6)
    certifier_of: set[tuple[int, str]]  # (certification, SIRET) where the organisation is the certifier
    partner_periods: dict[tuple[int, str], list[tuple[dt.date, dt.date]]]

    @classmethod
    def of(cls, offers: list[Offer]) -> "Facts":
        certifications = {o.certification_id for o in offers if o.certification_id}
        sirets = {o.organisation.siret for o in offers if o.organisation.siret}
        blocks = CompetenceBlock.objects.filter(certification_id__in=certifications)
        prepared = OfferBlock.objects.filter(offer_id__in=[o.pk for o in offers], block__isnull=False)
        links = CertificationCertifier.objects.filter(
            certification_id__in=certifications, certifier__siret__in=sirets, state=AccreditationState.ACTIVE
        )
        partners = Accreditation.objects.filter(
            certification_id__in=certifications,
            siret__in=sirets,
            kind__in=TRAINING_KINDS,
            state=AccreditationState.ACTIVE,
        )
        periods: dict[tuple[int, str], list[tuple[dt.date, dt.date]]] = {}
        for certification_id, siret, starts_on, ends_on in partners.values_list(
            "certification_id", "siret", "starts_on", "ends_on"
        ):
            periods.setdefault((certification_id, siret), []).append((starts_on or NO_START, ends_on or NO_END))
        return cls(
            block_totals=dict(
                blocks.values_list("certification_id").annotate(n=Count("pk")).values_list("certification_id", "n")
            ),
            prepared=dict(prepared.values_list("offer_id").annotate(n=Count("pk")).values_list("offer_id", "n")),
            certifier_of=set(links.values_list("certification_id", "certifier__siret")),
            partner_periods=periods,
        )

    def habilitation_period(self, offer: Offer, today: dt.date) -> tuple[dt.date, dt.date] | None:
        """ACC-7: the certifier itself (always), else the partner period in force today (the one that
        lasts longest), else the next one to start, else the last one (ended: the offer is not public).

        An ended period beside the current one (two kinds or names of habilitation) must not win.
        """
        siret = offer.organisation.siret
        if offer.certification_id is None or not siret:
            return None
        if (offer.certification_id, siret) in self.certifier_of:
            return (NO_START, NO_END)
        periods = self.partner_periods.get((offer.certification_id, siret), [])
        current = [p for p in periods if p[0] <= today <= p[1]]
        upcoming = [p for p in periods if p[0] > today]
        if current:
            return max(current, key=lambda p: p[1])
        if upcoming:
            return min(upcoming)
        return max(periods, key=lambda p: p[1]) if periods else None

    def perimeter(self, offer: Offer) -> catalogue.Perimeter | None:
        """As catalogue.services.perimeter, from the batch's counts."""
        if offer.certification_id is None:
            return None
        return catalogue.Perimeter.of(self.prepared.get(offer.pk, 0), self.block_totals.get(offer.certification_id, 0))


def _to_document(values: dict[str, Any]) -> Any:
    document = tantivy.Document()
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if name in ("offer_id", "level"):
                document.add_integer(name, int(item))
            elif name in ("price_min", "lat", "lon"):
                document.add_float(name, float(item))
            elif isinstance(item, bytes):
                document.add_bytes(name, item)
            elif isinstance(item, dt.datetime):
                document.add_date(name, item)
            else:
                document.add_text(name, str(item))
    return document


def _offers(ids: list[int]) -> Any:
    offers = Offer.objects.select_related("organisation", "certification").prefetch_related(
        "actions__sessions", "certification__formacodes", "certification__nsf_codes", "certification__rome_codes"
    )
    return offers.filter(pk__in=ids)


BATCH = 2000


def write_offers(writer: Any, ids: list[int], today: dt.date | None = None) -> int:
    """Replace these offers' documents (delete, then add those that could be public); how many added."""
    added = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for offer_id in chunk:
            writer.delete_documents_by_term("offer_id", offer_id)
        offers = list(_offers(chunk))
        facts = Facts.of(offers)
        for offer in offers:
            values = document_for(offer, today, facts)
            if values is not None:
                writer.add_document(_to_document(values))
                added += 1
    return added


def rebuild() -> int:
    """Every indexable offer, from scratch (`manage.py rebuild_search`)."""
    from parcours.core.outbox import acknowledge, latest_id

    last = latest_id()
    writer = index().writer()
    writer.delete_all_documents()
    ids = list(Offer.objects.filter(status=OfferStatus.VALIDATED).order_by("pk").values_list("pk", flat=True))
    count = write_offers(writer, ids)
    writer.commit()
    writer.wait_merging_threads()
    if last is not None:
        acknowledge(last)
    _reloaded()
    return count


def offers_touched(entries: list[Any]) -> list[int]:
    """Outbox entries → the offers whose document may have changed."""
    by_topic: dict[str, set[int]] = {}
    for entry in entries:
        by_topic.setdefault(entry.topic, set()).add(entry.object_id)
    query = Q(pk__in=by_topic.get("offer", set()))
    query |= Q(organisation_id__in=by_topic.get("organisation", set()))
    query |= Q(certification_id__in=by_topic.get("certification", set()))
    return list(Offer.objects.filter(query).values_list("pk", flat=True))


def apply_outbox(batch: int = 5000) -> int:
    """Replay the outbox into the index; acknowledge only after the index committed (crash-safe)."""
    from parcours.core.outbox import acknowledge, pending

    applied = 0
    while entries := pending(batch):
        writer = index().writer()
        try:
            write_offers(writer, offers_touched(entries))
            writer.commit()
        finally:
            writer.wait_merging_threads()
        acknowledge(entries[-1].id)
        applied += len(entries)
    _reloaded()
    return applied


def refresh_next_starts(today: dt.date) -> int:
    """Reindex the offers whose indexed next session start has passed, so the date sort stays right.

    Visibility never depends on this (it is filtered from every session's date at query time);
    only the order of « date de début la plus proche » does. Run by the nightly sweep.
    """
    searcher = fresh_index().searcher()
    stale = Query.range_query(SCHEMA, "next_start", FieldType.Date, upper_bound=day(today), include_upper=False)
    count = searcher.search(stale, 1, count=True).count or 0
    if not count:
        return 0
    ids = [searcher.doc(a)["offer_id"][0] for _s, a in searcher.search(stale, count).hits]
    writer = index().writer()
    try:
        write_offers(writer, ids, today)
        writer.commit()
    finally:
        writer.wait_merging_threads()
    _reloaded()
    return len(ids)


# -- querying -----------------------------------------------------------------------------------
@dataclass
class Filters:
    q: str = ""
    registry: str = ""
    certification_code: str = ""
    level: int | None = None
    modality: str = ""
    department: str = ""
    region: str = ""
    city: str = ""  # INSEE code
    formacode: str = ""
    nsf: str = ""
    rome: str = ""
    near: tuple[float, float] | None = None  # (lat, lon) of the city distances are measured from
    radius_km: float = 30
    sort: str = "relevance"  # relevance | price | start
    perimeter: str = ""  # complete | partial
    customisable: bool | None = None
    price_max: float | None = None
    starts_after: dt.date | None = None
    starts_before: dt.date | None = None

    def __post_init__(self) -> None:
        """Codes as the index holds them, whoever typed them (page, API): « 2a » → « 2A »."""
        self.department = self.department.strip().upper()
        self.rome = self.rome.strip().upper()
        self.formacode, self.nsf = self.formacode.strip(), self.nsf.strip()


@dataclass
class Results:
    total: int
    offer_ids: list[int]
    snippets: dict[int, str] = field(default_factory=dict)
    distances: dict[int, float] = field(default_factory=dict)  # km to the nearest place, with `near`
    cards: dict[int, dict[str, Any]] = field(default_factory=dict)  # stored card + next open session
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _filter(query: Any) -> Any:
    return Query.const_score_query(query, 0.0)


def text_query(text: str, fields: dict[str, float] | None = None) -> Any:
    """Every analysed word must match in some field (no query-parser syntax on the user's input)."""
    words = list(dict.fromkeys(FRENCH.analyze(text or "")))
    if not words:
        return None
    fields = fields or TEXT_FIELDS
    return Query.boolean_query(
        [
            (
                Occur.Must,
                Query.disjunction_max_query(
                    [Query.boost_query(Query.term_query(SCHEMA, f, w), b) for f, b in fields.items()],
                    tie_breaker=0.2,
                ),
            )
            for w in words
        ]
    )


KEYWORD_FILTERS = (
    *("registry", "certification_code", "modality", "department", "region", "city"),
    *("formacode", "nsf", "rome", "perimeter"),
)
SORTS = {"price": ("price_min", Order.Asc), "start": ("next_start", Order.Asc)}


def build_query(filters: Filters, today: dt.date) -> Any:
    """The user's words and filters, plus the visibility conditions that depend on the day."""
    must = [text_query(filters.q) or Query.all_query()]
    t = day(today)
    must += [
        _filter(Query.range_query(SCHEMA, "visible_from", FieldType.Date, upper_bound=t)),
        _filter(Query.range_query(SCHEMA, "visible_until", FieldType.Date, lower_bound=t)),
    ]
    # One range on the multi-valued field: a single open session must start after today (and in the
    # requested window); sessions starting today are no longer open to enrolment.
    lower = min(max(filters.starts_after or today, today), NO_END)  # tantivy's dates stop at 2262
    upper = day(min(max(filters.starts_before, NO_START), NO_END)) if filters.starts_before else None
    include_lower = bool(filters.starts_after and filters.starts_after > today)
    must.append(
        _filter(
            Query.range_query(
                SCHEMA,
                "open_session_starts",
                FieldType.Date,
                lower_bound=day(lower),
                upper_bound=upper,
                include_lower=include_lower,
            )
        )
    )
    for name in KEYWORD_FILTERS:
        value = getattr(filters, name)
        if value:
            must.append(_filter(Query.term_query(SCHEMA, name, value)))
    if filters.near is not None:
        cells = geo.cells_within(*filters.near, filters.radius_km)
        must.append(_filter(Query.term_set_query(SCHEMA, "geo_cell", cells)))
    if filters.customisable is not None:
        must.append(_filter(Query.term_query(SCHEMA, "customisable", "yes" if filters.customisable else "no")))
    if filters.level is not None:
        must.append(
            _filter(
                Query.range_query(
                    SCHEMA, "level", FieldType.Integer, lower_bound=filters.level, upper_bound=filters.level
                )
            )
        )
    if filters.price_max is not None:
        must.append(
            _filter(Query.range_query(SCHEMA, "price_min", FieldType.Float, upper_bound=float(filters.price_max)))
        )
    return Query.boolean_query([(Occur.Must, q) for q in must])


FACETS = {
    "registry": {"terms": {"field": "registry", "size": 5}},
    "modality": {"terms": {"field": "modality", "size": 5}},
    "perimeter": {"terms": {"field": "perimeter", "size": 5}},
    "department": {"terms": {"field": "department", "size": 120}},
    "region": {"terms": {"field": "region", "size": 30}},
    "level": {"terms": {"field": "level", "size": 10}},
}


def _key(value: Any) -> str:
    """Aggregation keys: integer fields come back as floats (3.0 → "3")."""
    return str(int(value)) if isinstance(value, float) else str(value)


def search(filters: Filters, today: dt.date, offset: int = 0, limit: int = 20) -> Results:
    searcher = fresh_index().searcher()
    query = build_query(filters, today)
    order_by, order = SORTS.get(filters.sort, (None, Order.Desc))
    found = searcher.search(query, limit, count=True, order_by_field=order_by, offset=offset, order=order)
    docs = [searcher.doc(address) for _score, address in found.hits]
    ids = [doc["offer_id"][0] for doc in docs]
    results = Results(total=found.count or 0, offer_ids=ids)
    for doc, offer_id in zip(docs, ids, strict=True):
        card = json.loads(doc["card"][0])
        starts = sorted(d.date() for d in doc.get_all("open_session_starts") if d.date() > today)
        card["next_session"] = starts[0] if starts else None
        results.cards[offer_id] = card
    words = text_query(filters.q, {"summary": 1.0})
    if words is not None:
        generator = tantivy.SnippetGenerator.create(searcher, words, SCHEMA, "summary")
        generator.set_max_num_chars(220)
        for doc, offer_id in zip(docs, ids, strict=True):
            html = generator.snippet_from_doc(doc).to_html()
            if "<b>" in html:
                results.snippets[offer_id] = html
    if filters.near is not None:
        for doc, offer_id in zip(docs, ids, strict=True):
            places = zip(doc.get_all("lat"), doc.get_all("lon"), strict=True)
            results.distances[offer_id] = min((geo.km_between(*filters.near, la, lo) for la, lo in places), default=0)
    aggregated = searcher.aggregate(query, FACETS)
    for name in FACETS:
        buckets = aggregated.get(name, {}).get("buckets", [])
        results.facets[name] = {_key(b["key"]): b["doc_count"] for b in buckets if b["key"]}
    return results
