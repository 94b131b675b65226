#!/usr/bin/env python
"""Benchmark of the registry importer at the real export's scale.

    .venv/bin/python bench/registry_import.py [--scale 1.0] [--keep] [--json out.json]
        [--with-reader] [--profile out.svg|out.raw|out.prof [--profile-step full|reimport|changed]]

1. Generates (streamed, fixed seed) a synthetic France compétences XML export V4.1 shaped
   like the real one: 30,500 fiches (25,600 RNCP + 4,900 RS, ~7,000 active), 56,000 blocks,
   400,000 PARTENAIRE rows, 66,000 CERTIFICATEUR rows; text lengths follow the means measured
   in the two real samples under data/france-competences/mcp-rncp-xml-v4.1/. Two files
   (export_fiches_RNCP_V4_1_<date>.xml, export_fiches_RS_V4_1_<date>.xml), plus a variant
   of both where 1 % of the fiches changed (title, a block's text, an end date moved into the
   past, a partner replaced, a certifier's state). `--scale 0.05` shrinks every count.
2. Migrates a fresh SQLite database in the work dir (or, when DATABASE_URL is already set,
   uses that database: shared, refused if it already holds imported certifications).
3. Measures, each in a fresh child process (own peak RSS via getrusage):
   (a) parse floor: lxml iterparse of the same files, FICHE end events, nothing else;
   (b) full import into the empty database; (c) re-import of the same files;
   (d) import of the 1 %-changed files.
   and checks the targets: (b) <= 3x (a); (c) <= 0.5x (b); peak RSS < 300 MB.
   The CPU/wall column flags steps slowed by other processes (2-core machines: re-run then).

Work dir: bench/out/registry-import-s<scale>/ (git-ignored); the generated files are reused
by the next run when kept (--keep) and generated with the same seed, scale and day.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "data" / "france-competences" / "mcp-rncp-xml-v4.1"
FIXTURE_FILES = {"rncp": "export_fiches_RNCP_fixture.xml", "rs": "export_fiches_RS_fixture.xml"}
OUT_DIR = ROOT / "bench" / "out"
SEED = 20_250_611
GENERATOR_VERSION = 3  # bump when the generated data changes, so old kept data is not reused

# The real export (France compétences, XML V4.1, both registries): counts at --scale 1.0.
REAL = {
    "rncp": 25_600,
    "rs": 4_900,
    "active_rncp": 4_900,
    "active_rs": 2_100,
    "blocks": 56_000,
    "partners": 400_000,
    "certifiers": 66_000,
    "certifier_pool": 9_000,  # distinct certifying bodies
    "partner_pool": 45_000,  # distinct training organisations
}
CHANGED_SHARE = 0.01
TARGETS = {"full_vs_parse": 3.0, "reimport_vs_full": 0.5, "peak_rss_mb": 300.0}

# Element order of a FICHE, merged from the real samples (each fiche has a subset).
RNCP_ORDER = (
    "ID_FICHE NUMERO_FICHE NOUVELLES_CERTIFICATIONS ANCIENNES_CERTIFICATIONS INTITULE ABREGE "
    "ETAT_FICHE FORMACODES NOMENCLATURE_EUROPE CODES_NSF CERTIFICATEURS EXISTENCE_PARTENAIRES "
    "PARTENAIRES ACTIVITES_VISEES CAPACITES_ATTESTEES SECTEURS_ACTIVITE TYPE_EMPLOI_ACCESSIBLES "
    "CODES_ROME REGLEMENTATIONS_ACTIVITES SI_JURY_FI SI_JURY_CA SI_JURY_FC SI_JURY_CQ SI_JURY_CL "
    "SI_JURY_VAE ACCESSIBLE_NOUVELLE_CALEDONIE ACCESSIBLE_POLYNESIE_FRANCAISE "
    "PUBLICATION_DECRET_GENERAL PUBLICATION_DECRET_CREATION PUBLICATION_DECRET_AUTRE "
    "DATE_DERNIER_JO DATE_DECISION DUREE_ENREGISTREMENT STATISTIQUES_PROMOTIONS "
    "LIEN_URL_DESCRIPTION DATE_FIN_ENREGISTREMENT DATE_EFFET ANNEES_PROMOTIONS_NIVEAU "
    "TYPE_ENREGISTREMENT BLOCS_COMPETENCES OBJECTIFS_CONTEXTE ACTIF PREREQUIS_ENTREE_FORMATION "
    "DATE_DE_PUBLICATION DATE_LIMITE_DELIVRANCE CORRESPONDANCES"
).split()
RS_ORDER = (
    "ID_FICHE NUMERO_FICHE NOUVELLES_CERTIFICATIONS ANCIENNES_CERTIFICATIONS INTITULE ETAT_FICHE "
    "FORMACODES CODES_NSF CERTIFICATEURS EXISTENCE_PARTENAIRES PARTENAIRES CAPACITES_ATTESTEES "
    "REGLEMENTATIONS_ACTIVITES SI_JURY_FI SI_JURY_FC SI_JURY_CQ SI_JURY_CL SI_JURY_VAE "
    "PUBLICATION_DECRET_CREATION PUBLICATION_DECRET_AUTRE DATE_DERNIER_JO DATE_DECISION "
    "DUREE_ENREGISTREMENT STATISTIQUES_PROMOTIONS LIEN_URL_DESCRIPTION DATE_FIN_ENREGISTREMENT "
    "DATE_EFFET TYPE_ENREGISTREMENT OBJECTIFS_CONTEXTE NIVEAU_MAITRISE_COMPETENCES "
    "VALIDATION_PARTIELLE ACTIF PREREQUIS_ENTREE_FORMATION PREREQUIS_VALIDATION_CERTIFICATION "
    "DATE_DE_PUBLICATION DATE_LIMITE_DELIVRANCE"
).split()
# Long free texts, directly under FICHE: written when the samples have them, at their mean length.
FREE_TEXTS = (
    "ACTIVITES_VISEES CAPACITES_ATTESTEES SECTEURS_ACTIVITE TYPE_EMPLOI_ACCESSIBLES "
    "REGLEMENTATIONS_ACTIVITES OBJECTIFS_CONTEXTE PREREQUIS_ENTREE_FORMATION "
    "PREREQUIS_VALIDATION_CERTIFICATION"
).split()
OPTIONAL_DATES = "DATE_DERNIER_JO DATE_DECISION DATE_EFFET DATE_DE_PUBLICATION DATE_LIMITE_DELIVRANCE".split()
JURIES = "SI_JURY_FI SI_JURY_CA SI_JURY_FC SI_JURY_CQ SI_JURY_CL SI_JURY_VAE".split()
DECRETS = "PUBLICATION_DECRET_GENERAL PUBLICATION_DECRET_CREATION PUBLICATION_DECRET_AUTRE".split()

WORDS = """
de la le les des et à en du un une pour dans sur par au aux avec son sa ses leur leurs est sont
être mettre œuvre compétences compétence activités activité gestion projet projets équipe équipes
client clients entreprise entreprises organisation management manager responsable technique
techniques professionnel professionnels professionnelle formation certification évaluation
situation mise analyser analyse concevoir conduire réaliser élaborer piloter assurer contrôler
organiser mobiliser identifier définir proposer accompagner coordonner développer adapter
communiquer rédiger appliquer respecter garantir planifier préparer suivre suivi qualité sécurité
réglementation réglementaire environnement données outils outil numérique numériques système
systèmes procédures procédure règles normes besoins besoin ressources humaines financières
commerciale commerciales stratégie stratégique opérationnel opérationnelle cadre contexte
partenaires interne externe dossier écrit oral jury candidat candidats épreuve épreuves cas
pratique mise situation réelle reconstituée soutenance rapport étude production livrable
collaborateurs service services production maintenance installation intervention chantier
matériel matériels équipements produits marché marchés vente achats budget coûts délais
performance indicateurs tableau bord reporting veille innovation transformation durable
développement handicap accessibilité prévention risques santé travail hygiène conformité
méthodes méthode démarche processus amélioration continue relation usagers public publics
patient patients soins accueil information conseil diagnostic audit expertise contrôle bâtiment
réseau réseaux logiciel logiciels application applications informatique web sites architecture
infrastructure cybersécurité juridique droit contrat contrats social sociale paie comptabilité
comptable fiscale transport logistique stock stocks flux commande commandes fournisseurs
international communication marketing digital contenu contenus médias événement tourisme
restauration hôtellerie cuisine agriculture animaux élevage culture énergie électrique
mécanique industriel industrielle fabrication usinage soudure automatisme électronique
niveau cours afin ainsi notamment également chaque selon lors entre tout tous toutes ensemble
plusieurs différents différentes principales principaux nouvelles nouveaux l’ensemble d’une
d’un l’entreprise l’équipe l’activité l’organisation l’évaluation l’apprenant l’emploi
""".split()
ORG_WORDS = """
ASSOCIATION INSTITUT ECOLE CENTRE FORMATION CFA GRETA CCI CHAMBRE METIERS ARTISANAT LYCEE
PROFESSIONNEL SUPERIEUR NATIONAL REGIONAL FRANCE PARIS LYON MARSEILLE BORDEAUX LILLE NANTES
TOULOUSE RENNES GROUPE ACADEMIE CONSEIL MANAGEMENT DEVELOPPEMENT COMPETENCES SERVICES
INTERNATIONAL ENSEIGNEMENT APPRENTISSAGE UNIVERSITE SAS SARL SA AFPA IFPA ISCOM ESPACE
PERFORMANCE EMPLOI ALTERNANCE CAMPUS DIGITAL NUMERIQUE SANTE SOCIAL COMMERCE INDUSTRIE BATIMENT
""".split()
ABREGES = [
    ("BTS", "Brevet de technicien supérieur"),
    ("TP", "Titre professionnel"),
    ("DipViGrM", "Diplôme visé grade de master"),
    ("CS", "Certificat de spécialisation"),
    ("LP", "Licence Professionnelle"),
    ("CAP", "Certificat d'aptitude professionnelle"),
    ("BP", "Brevet professionnel"),
    ("BUT", "Bachelor universitaire de technologie"),
    ("MAST", "Master"),
    ("TH", "Titre homologué"),
]
MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()


# ---------------------------------------------------------------------------------------------
# What the real samples say
# ---------------------------------------------------------------------------------------------
def fixture_profile() -> dict[str, dict[str, tuple[float, float]]]:
    """Per registry: element path under FICHE -> (share of fiches having it, mean text length)."""
    from lxml import etree

    profile: dict[str, dict[str, tuple[float, float]]] = {}
    for registry, name in FIXTURE_FILES.items():
        root = etree.parse(str(FIXTURES / name)).getroot()
        fiches = root.findall("FICHE")
        lengths: dict[str, list[int]] = defaultdict(list)
        present: Counter[str] = Counter()
        for fiche in fiches:
            seen: set[str] = set()
            _walk(fiche, "", seen, lengths)
            present.update(seen)
        profile[registry] = {
            path: (present[path] / len(fiches), sum(lengths[path]) / len(lengths[path]) if lengths[path] else 0.0)
            for path in present
        }
    return profile


def _walk(element, path: str, seen: set[str], lengths: dict[str, list[int]]) -> None:  # type: ignore[no-untyped-def]
    for child in element:
        if not isinstance(child.tag, str):
            continue
        child_path = f"{path}/{child.tag}" if path else child.tag
        seen.add(child_path)
        if len(child) == 0:
            lengths[child_path].append(len((child.text or "").strip()))
        _walk(child, child_path, seen, lengths)


# ---------------------------------------------------------------------------------------------
# Synthetic data
# ---------------------------------------------------------------------------------------------
class Corpus:
    """A few MB of French-ish prose; texts are slices of it (fast, and never twice the same)."""

    def __init__(self, rng: random.Random, chars: int = 3_000_000):
        weights = [1.0 / (rank + 3) for rank in range(len(WORDS))]
        parts: list[str] = []
        size = 0
        while size < chars:
            words = rng.choices(WORDS, weights, k=rng.randint(6, 24))
            sentence = " ".join(words)
            sentence = sentence[0].upper() + sentence[1:]
            roll = rng.random()
            if roll < 0.25:
                sentence = "- " + sentence + " ;    "  # bullets: runs of blanks where lines broke
            elif roll < 0.35:
                sentence += " :    "
            else:
                sentence += ". "
            parts.append(sentence)
            size += len(sentence)
        self.prose = "".join(parts)

    def text(self, rng: random.Random, mean: float, sigma: float = 0.7) -> str:
        """A text whose length follows a log-normal law of the given mean (skewed, like the data)."""
        if mean < 1:
            return ""
        mu = math.log(mean) - sigma * sigma / 2
        n = int(rng.lognormvariate(mu, sigma))
        n = max(4, min(n, int(mean * 6) + 10, 100_000))
        start = rng.randrange(0, len(self.prose) - n - 100)
        start = self.prose.find(" ", start) + 1
        chunk = self.prose[start : start + n]
        cut = chunk.rfind(" ")
        if cut > n * 0.5:
            chunk = chunk[:cut]
        chunk = chunk.strip(" ;:-")
        return chunk[:1].upper() + chunk[1:]

    def title(self, rng: random.Random, mean: float) -> str:
        return self.text(rng, mean, sigma=0.35).rstrip(".").replace("    ", " ").replace(" ;", "")


def _fit(counts: list[int], target: int, rng: random.Random, cap: int = 10**9) -> list[int]:
    """Scale integer counts so that they sum exactly to target (keeps zeros at zero if possible)."""
    total = sum(counts)
    if total == 0 or target == 0:
        return [0] * len(counts)
    factor = target / total
    fitted = [min(cap, int(c * factor)) for c in counts]
    missing = target - sum(fitted)
    nonzero = [i for i, c in enumerate(counts) if c > 0] or list(range(len(counts)))
    while missing > 0:
        i = rng.choice(nonzero)
        if fitted[i] < cap:
            fitted[i] += 1
            missing -= 1
    return fitted


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


class Generator:
    def __init__(self, scale: float, seed: int = SEED, today: datetime.date | None = None):
        self.scale = scale
        self.seed = seed
        self.today = today or datetime.date.today()
        self.profile = fixture_profile()
        self.rng = random.Random(seed)
        self.corpus = Corpus(random.Random(seed + 1))
        s = scale
        self.n = {key: max(1, round(value * s)) for key, value in REAL.items()}
        # Fixed nomenclatures (their real sizes, whatever the scale), one label per code.
        nrng = random.Random(seed + 2)
        self.formacodes = [(str(10000 + i * 13), self.corpus.title(nrng, 22)) for i in range(3300)]
        self.nsf = [(f"{100 + i // 8}{'abcdefghmnprstuv'[i % 8]}", self.corpus.title(nrng, 47)) for i in range(400)]
        self.rome = [
            (f"{'ABCDEFGHIJKLMN'[i % 14]}{1101 + i // 14:04d}", self.corpus.title(nrng, 32)) for i in range(532)
        ]
        self.certifier_pool = [self._organisation(nrng, 35) for _ in range(self.n["certifier_pool"])]
        for i in range(len(self.certifier_pool)):  # some certifiers have no SIRET in the data
            if nrng.random() < 0.05:
                self.certifier_pool[i] = ("", self.certifier_pool[i][1])
        self.partner_pool = [self._organisation(nrng, 27) for _ in range(self.n["partner_pool"])]
        self.certifier_cum = list(
            itertools.accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(len(self.certifier_pool)))
        )
        self._plan()

    def _organisation(self, rng: random.Random, mean: float) -> tuple[str, str]:
        siret = str(rng.randrange(10**13, 10**14))
        words: list[str] = []
        target = max(4, int(rng.lognormvariate(math.log(mean) - 0.08, 0.4)))
        while len(" ".join(words)) < target:
            words.append(rng.choice(ORG_WORDS))
        return siret, " ".join(words)

    # -- the plan: who is active, how many blocks/partners/certifiers, replacement links ----------
    def _plan(self) -> None:
        rng = self.rng
        fiches: list[dict] = []
        for registry, count, active_count, top in (
            ("rncp", self.n["rncp"], self.n["active_rncp"], 41_000),
            ("rs", self.n["rs"], self.n["active_rs"], 7_600),
        ):
            numbers = sorted(rng.sample(range(1, top), count))
            # Recent fiches (high numbers) are much more often active (weighted sampling).
            keys = [rng.random() ** (1.0 / (1 + 30 * (rank / count) ** 3)) for rank in range(count)]
            active = set(sorted(range(count), key=lambda i: keys[i], reverse=True)[:active_count])
            for rank, number in enumerate(numbers):
                fiches.append(
                    {
                        "registry": registry,
                        "number": number,
                        "code": f"{registry.upper()}{number}",
                        "active": rank in active,
                        "anciennes": [],
                        "nouvelles": [],
                    }
                )
        self.fiches = fiches
        codes = {f["code"] for f in fiches}
        raw_blocks = [
            (rng.randint(2, 7) if f["active"] else (0 if rng.random() < 0.4 else rng.randint(1, 4)))
            if f["registry"] == "rncp"
            else 0
            for f in fiches
        ]
        raw_partners = [
            0
            if rng.random() < (0.25 if f["active"] else 0.75)
            else int(rng.lognormvariate(2.3 if f["active"] else 1.2, 1.4)) + 1
            for f in fiches
        ]
        raw_certifiers = [1 + min(12, int(rng.expovariate(1 / 1.2))) for _ in fiches]
        blocks = _fit(raw_blocks, self.n["blocks"], rng, cap=30)
        partners = _fit(raw_partners, self.n["partners"], rng, cap=min(3000, len(self.partner_pool)))
        certifiers = _fit(raw_certifiers, self.n["certifiers"], rng, cap=min(25, len(self.certifier_pool)))
        for f, b, p, c in zip(fiches, blocks, partners, certifiers, strict=True):
            f["blocks"], f["partners"], f["certifiers"] = b, p, max(1, c)
            # End dates and the declared state (REG-6: past its end date a fiche is inactive).
            if f["active"]:
                f["declared"], f["end"] = True, self.today + datetime.timedelta(days=rng.randint(30, 5 * 365))
            else:
                roll = rng.random()
                past = self.today - datetime.timedelta(days=rng.randint(1, 15 * 365))
                if roll < 0.88:
                    f["declared"], f["end"] = False, past
                elif roll < 0.95:
                    f["declared"], f["end"] = True, past  # the export lags: still "Oui"
                else:
                    f["declared"], f["end"] = False, self.today + datetime.timedelta(days=rng.randint(1, 900))
        # Replacement links (NOUVELLES/ANCIENNES_CERTIFICATIONS), both ends declared.
        by_registry: dict[str, list[dict]] = defaultdict(list)
        for f in fiches:
            by_registry[f["registry"]].append(f)
        for registry, items in by_registry.items():
            for j, f in enumerate(items):
                if j == 0 or rng.random() > (0.75 if f["active"] else 0.3):
                    continue
                for _ in range(2 if rng.random() < 0.1 else 1):
                    old = items[rng.randrange(0, j)]
                    if rng.random() < 0.15 or old["nouvelles"]:
                        missing = f"{registry.upper()}{rng.randrange(1, f['number'])}"
                        if missing not in codes and missing not in f["anciennes"]:
                            f["anciennes"].append(missing)  # replaced a fiche absent from the export
                        continue
                    if old["code"] not in f["anciennes"]:
                        f["anciennes"].append(old["code"])
                        old["nouvelles"].append(f["code"])
        # The 1 % that change in the variant.
        crng = random.Random(self.seed + 3)
        n_changed = max(1, round(CHANGED_SHARE * len(fiches)))
        actives = [i for i, f in enumerate(fiches) if f["active"]]
        n_expire = min(len(actives), max(1, round(0.15 * n_changed)))
        expire = set(crng.sample(actives, n_expire))
        others = crng.sample([i for i in range(len(fiches)) if i not in expire], n_changed - n_expire)
        kinds = ["title"] * 35 + ["block_text"] * 25 + ["partners"] * 15 + ["certifier_state"] * 10
        self.changes: dict[int, str] = {i: "end_date_past" for i in expire}
        for i in others:
            kind = crng.choice(kinds)
            if kind == "block_text" and not fiches[i]["blocks"]:
                kind = "title"
            if kind == "partners" and not fiches[i]["partners"]:
                kind = "title"
            self.changes[i] = kind

    # -- one fiche -------------------------------------------------------------------------------
    def fiche(self, index: int) -> dict:
        plan = self.fiches[index]
        registry = plan["registry"]
        prof = self.profile[registry]
        rng = random.Random(self.seed * 1_000_003 + index)  # per fiche: independent of the others
        corpus = self.corpus

        def has(path: str) -> bool:
            return rng.random() < prof.get(path, (0.0, 0.0))[0]

        def mean(path: str, default: float = 20.0) -> float:
            return prof.get(path, (0.0, default))[1] or default

        leaf: dict[str, str] = {}
        leaf["ID_FICHE"] = str(10_000 + index * 3 + rng.randint(0, 2))
        leaf["NUMERO_FICHE"] = plan["code"]
        leaf["INTITULE"] = corpus.title(rng, mean("INTITULE"))
        leaf["ETAT_FICHE"] = rng.choices(
            ["Publiée", "Modifications à valider", "Modifications à valider par le ministère", "Dépubliée/Archivée"],
            [85, 6, 4, 5],
        )[0]
        leaf["EXISTENCE_PARTENAIRES"] = "Oui" if plan["partners"] else "Non"
        for tag in FREE_TEXTS:
            if has(tag):
                leaf[tag] = corpus.text(rng, mean(tag))
        if registry == "rncp":
            leaf["ACCESSIBLE_NOUVELLE_CALEDONIE"] = "Oui" if rng.random() < 0.05 else "Non"
            leaf["ACCESSIBLE_POLYNESIE_FRANCAISE"] = "Oui" if rng.random() < 0.05 else "Non"
        else:
            leaf["VALIDATION_PARTIELLE"] = "Oui" if rng.random() < 0.1 else "Non"
            if has("NIVEAU_MAITRISE_COMPETENCES"):
                leaf["NIVEAU_MAITRISE_COMPETENCES"] = "sans objet"
        end = plan["end"]
        years = rng.choice([2, 3, 5, 5, 5])
        decision = end - datetime.timedelta(days=365 * years + rng.randint(-20, 20))
        leaf["DATE_FIN_ENREGISTREMENT"] = _date(end)
        dates = {
            "DATE_DECISION": decision,
            "DATE_EFFET": decision + datetime.timedelta(days=rng.randint(0, 40)),
            "DATE_DE_PUBLICATION": decision + datetime.timedelta(days=rng.randint(10, 60)),
            "DATE_DERNIER_JO": decision - datetime.timedelta(days=rng.randint(100, 4000)),
            "DATE_LIMITE_DELIVRANCE": end + datetime.timedelta(days=rng.randint(90, 720)),
        }
        for tag in OPTIONAL_DATES:
            if has(tag):
                leaf[tag] = _date(dates[tag])
        if has("DUREE_ENREGISTREMENT"):
            leaf["DUREE_ENREGISTREMENT"] = str(years)
        if has("LIEN_URL_DESCRIPTION"):
            slug = corpus.title(rng, max(10.0, mean("LIEN_URL_DESCRIPTION") - 25)).lower()
            leaf["LIEN_URL_DESCRIPTION"] = "https://www." + "-".join(slug.split()[:2]) + ".fr/" + "-".join(slug.split())
        leaf["TYPE_ENREGISTREMENT"] = (
            "Enregistrement de droit"
            if rng.random() < (0.45 if registry == "rncp" else 0.1)
            else "Enregistrement sur demande"
        )
        leaf["ACTIF"] = "Oui" if plan["declared"] else "Non"

        fiche: dict = {"registry": registry, "leaf": leaf}
        fiche["nouvelles"] = list(plan["nouvelles"])
        fiche["anciennes"] = list(plan["anciennes"])
        if registry == "rncp":
            if has("ABREGE"):
                fiche["abrege"] = rng.choice(ABREGES)
            level = rng.choices([3, 4, 5, 6, 7, 8], [12, 14, 22, 22, 27, 3])[0]
            fiche["niveau"] = (f"NIV{level}", f"Niveau {level}")
            fiche["rome"] = rng.sample(self.rome, rng.choice([1, 2, 3, 3, 4, 5]))
        n_forma = max(1, round(rng.gauss(3 if registry == "rncp" else 1.9, 1)))
        fiche["formacodes"] = rng.sample(self.formacodes, n_forma)
        fiche["nsf"] = rng.sample(
            self.nsf, rng.choice([1, 1, 2, 2, 3]) if registry == "rncp" else rng.choice([1, 1, 1, 2])
        )
        picked: dict[int, None] = {}
        while len(picked) < plan["certifiers"]:
            picked[rng.choices(range(len(self.certifier_pool)), cum_weights=self.certifier_cum)[0]] = None
        fiche["certifiers"] = [
            [
                *self.certifier_pool[i],
                "Actif" if rng.random() < 0.85 else "Inactif",
                _date(self.today - datetime.timedelta(days=rng.randint(1, 3000))) if rng.random() < 0.7 else "",
            ]
            for i in picked
        ]
        fiche["partners"] = [
            self._partner(rng, i) for i in sorted(rng.sample(range(len(self.partner_pool)), plan["partners"]))
        ]
        fiche["juries"] = []
        for tag in JURIES:
            if tag == "SI_JURY_CA" and registry == "rs":
                continue
            composition = corpus.text(rng, mean(f"{tag}/COMPOSITION", 250)) if has(f"{tag}/COMPOSITION") else ""
            fiche["juries"].append((tag, "Oui" if composition else "Non", composition))
        fiche["decrets"] = {}
        for tag in DECRETS:
            if has(tag):
                fiche["decrets"][tag] = [
                    self._jo(rng, mean(f"{tag}/PUBLICATION_JO/TITRE", 220)) for _ in range(rng.choice([1, 1, 1, 2, 3]))
                ]
        if has("STATISTIQUES_PROMOTIONS"):
            year = self.today.year - 1
            fiche["stats"] = [
                (str(year - k), str(rng.randint(1, 400)), str(rng.randint(0, 20)) if registry == "rncp" else "")
                for k in range(rng.randint(1, 4))
            ]
        if registry == "rncp" and has("ANNEES_PROMOTIONS_NIVEAU"):
            fiche["annees"] = [str(self.today.year - 2 - k) for k in range(rng.randint(1, 3))]
        fiche["blocks"] = [
            {
                "CODE": f"{plan['code']}BC{k + 1:02d}",
                "LIBELLE": corpus.title(rng, mean("BLOCS_COMPETENCES/BLOC_COMPETENCES/LIBELLE")),
                "LISTE_COMPETENCES": corpus.text(rng, mean("BLOCS_COMPETENCES/BLOC_COMPETENCES/LISTE_COMPETENCES")),
                "MODALITES_EVALUATION": corpus.text(
                    rng, mean("BLOCS_COMPETENCES/BLOC_COMPETENCES/MODALITES_EVALUATION")
                ),
            }
            for k in range(plan["blocks"])
        ]
        fiche["corr"] = []
        if fiche["blocks"] and rng.random() < (0.4 if plan["active"] else 0.1):
            for _ in range(rng.randint(1, 6)):
                other = self.fiches[rng.randrange(0, self.n["rncp"])]["code"]
                fiche["corr"].append(
                    (
                        rng.choice(fiche["blocks"])["CODE"],
                        other,
                        [f"{other}BC{rng.randint(1, 6):02d}" for _ in range(rng.choice([1, 1, 1, 2]))],
                    )
                )
        return fiche

    def _partner(self, rng: random.Random, i: int) -> list[str]:
        siret, name = self.partner_pool[i]
        since = self.today - datetime.timedelta(days=rng.randint(30, 2500))
        return [
            name,
            siret,
            "HABILITATION_ORGA_FORM" if rng.random() < 0.85 else "HABILITATION_FORMER",
            "Actif" if rng.random() < 0.95 else "Inactif",
            _date(since) if rng.random() < 0.25 else "",
            _date(since + datetime.timedelta(days=rng.randint(0, 20))) if rng.random() < 0.93 else "",
        ]

    def _jo(self, rng: random.Random, mean: float) -> tuple[str, str]:
        day = self.today - datetime.timedelta(days=rng.randint(300, 8000))
        head = f"Arrêté du {day.day} {MONTHS[day.month - 1]} {day.year} publié au Journal Officiel du {day.day} {MONTHS[day.month - 1]} {day.year} "
        return head + self.corpus.text(rng, max(20.0, mean - len(head))).lower(), _date(day)

    # -- the variant ---------------------------------------------------------------------------
    def mutate(self, index: int, fiche: dict) -> dict:
        kind = self.changes[index]
        rng = random.Random(self.seed * 7_919 + index)
        fiche = {**fiche, "leaf": dict(fiche["leaf"])}
        if kind == "title":
            fiche["leaf"]["INTITULE"] += " – " + self.corpus.title(rng, 18).lower()
        elif kind == "block_text":
            blocks = [dict(b) for b in fiche["blocks"]]
            k = rng.randrange(len(blocks))
            blocks[k]["LISTE_COMPETENCES"] = self.corpus.text(rng, len(blocks[k]["LISTE_COMPETENCES"]) + 50)
            fiche["blocks"] = blocks
        elif kind == "end_date_past":
            fiche["leaf"]["DATE_FIN_ENREGISTREMENT"] = _date(self.today - datetime.timedelta(days=rng.randint(1, 60)))
        elif kind == "partners":
            partners = list(fiche["partners"])
            partners.pop(rng.randrange(len(partners)))
            present = {p[1] for p in partners}
            while True:
                i = rng.randrange(len(self.partner_pool))
                if self.partner_pool[i][0] not in present:
                    break
            partners.append(self._partner(rng, i))
            fiche["partners"] = partners
        elif kind == "certifier_state":
            certifiers = [list(c) for c in fiche["certifiers"]]
            certifiers[0][2] = "Inactif" if certifiers[0][2] == "Actif" else "Actif"
            certifiers[0][3] = _date(self.today)
            fiche["certifiers"] = certifiers
        return fiche

    # -- XML -----------------------------------------------------------------------------------
    @staticmethod
    def render(fiche: dict) -> str:
        out: list[str] = ["  <FICHE>\n"]
        w = out.append
        leaf = fiche["leaf"]
        order = RNCP_ORDER if fiche["registry"] == "rncp" else RS_ORDER
        i4, i6, i8, i10, i12 = " " * 4, " " * 6, " " * 8, " " * 10, " " * 12

        def pairs(outer: str, inner: str, items) -> None:  # type: ignore[no-untyped-def]
            if items:
                w(f"{i4}<{outer}>\n")
                for code, label in items:
                    w(
                        f"{i6}<{inner}>\n{i8}<CODE>{code}</CODE>\n{i8}<LIBELLE>{escape(label)}</LIBELLE>\n{i6}</{inner}>\n"
                    )
                w(f"{i4}</{outer}>\n")

        for tag in order:
            if tag in leaf:
                w(f"{i4}<{tag}>{escape(leaf[tag])}</{tag}>\n")
            elif tag == "NOUVELLES_CERTIFICATIONS" and fiche["nouvelles"]:
                w(f"{i4}<{tag}>\n")
                for code in fiche["nouvelles"]:
                    w(
                        f"{i6}<NOUVELLE_CERTIFICATION>\n{i8}<ID_FICHE_NOUVELLE_CERTIFICATION>{code}</ID_FICHE_NOUVELLE_CERTIFICATION>\n{i6}</NOUVELLE_CERTIFICATION>\n"
                    )
                w(f"{i4}</{tag}>\n")
            elif tag == "ANCIENNES_CERTIFICATIONS" and fiche["anciennes"]:
                w(f"{i4}<{tag}>\n")
                for code in fiche["anciennes"]:
                    w(
                        f"{i6}<ANCIENNE_CERTIFICATION>\n{i8}<ID_FICHE_ANCIENNE_CERTIFICATION>{code}</ID_FICHE_ANCIENNE_CERTIFICATION>\n{i6}</ANCIENNE_CERTIFICATION>\n"
                    )
                w(f"{i4}</{tag}>\n")
            elif tag == "ABREGE" and fiche.get("abrege"):
                code, label = fiche["abrege"]
                w(f"{i4}<ABREGE>\n{i6}<CODE>{code}</CODE>\n{i6}<LIBELLE>{escape(label)}</LIBELLE>\n{i4}</ABREGE>\n")
            elif tag == "FORMACODES":
                pairs("FORMACODES", "FORMACODE", fiche["formacodes"])
            elif tag == "NOMENCLATURE_EUROPE" and fiche.get("niveau"):
                code, label = fiche["niveau"]
                w(
                    f"{i4}<NOMENCLATURE_EUROPE>\n{i6}<NIVEAU>{code}</NIVEAU>\n{i6}<LIBELLE>{label}</LIBELLE>\n{i4}</NOMENCLATURE_EUROPE>\n"
                )
            elif tag == "CODES_NSF":
                pairs("CODES_NSF", "NSF", fiche["nsf"])
            elif tag == "CODES_ROME":
                pairs("CODES_ROME", "ROME", fiche.get("rome"))
            elif tag == "CERTIFICATEURS" and fiche["certifiers"]:
                w(f"{i4}<CERTIFICATEURS>\n")
                for siret, name, state, changed in fiche["certifiers"]:
                    w(f"{i6}<CERTIFICATEUR>\n")
                    if siret:
                        w(f"{i8}<SIRET_CERTIFICATEUR>{siret}</SIRET_CERTIFICATEUR>\n")
                    w(
                        f"{i8}<NOM_CERTIFICATEUR>{escape(name)}</NOM_CERTIFICATEUR>\n{i8}<ETAT_CERTIFICATEUR>{state}</ETAT_CERTIFICATEUR>\n"
                    )
                    if changed:
                        w(f"{i8}<DATE_DERNIERE_MODIFICATION_ETAT>{changed}</DATE_DERNIERE_MODIFICATION_ETAT>\n")
                    w(f"{i6}</CERTIFICATEUR>\n")
                w(f"{i4}</CERTIFICATEURS>\n")
            elif tag == "PARTENAIRES" and fiche["partners"]:
                w(f"{i4}<PARTENAIRES>\n")
                for name, siret, kind, state, since, changed in fiche["partners"]:
                    w(
                        f"{i6}<PARTENAIRE>\n{i8}<NOM_PARTENAIRE>{escape(name)}</NOM_PARTENAIRE>\n"
                        f"{i8}<SIRET_PARTENAIRE>{siret}</SIRET_PARTENAIRE>\n"
                        f"{i8}<HABILITATION_PARTENAIRE>{kind}</HABILITATION_PARTENAIRE>\n"
                        f"{i8}<ETAT_HABILITATION>{state}</ETAT_HABILITATION>\n"
                    )
                    if since:
                        w(f"{i8}<DATE_ACTIF>{since}</DATE_ACTIF>\n")
                    if changed:
                        w(f"{i8}<DATE_DERNIERE_MODIFICATION_ETAT>{changed}</DATE_DERNIERE_MODIFICATION_ETAT>\n")
                    w(f"{i6}</PARTENAIRE>\n")
                w(f"{i4}</PARTENAIRES>\n")
            elif tag.startswith("SI_JURY_"):
                for jury, active, composition in fiche["juries"]:
                    if jury == tag:
                        w(f"{i4}<{tag}>\n{i6}<ACTIF>{active}</ACTIF>\n")
                        if composition:
                            w(f"{i6}<COMPOSITION>{escape(composition)}</COMPOSITION>\n")
                        w(f"{i4}</{tag}>\n")
            elif tag in fiche["decrets"]:
                w(f"{i4}<{tag}>\n")
                for title, day in fiche["decrets"][tag]:
                    w(
                        f"{i6}<PUBLICATION_JO>\n{i8}<TITRE>{escape(title)}</TITRE>\n{i8}<DATE_PUBLICATION_JO>{day}</DATE_PUBLICATION_JO>\n{i6}</PUBLICATION_JO>\n"
                    )
                w(f"{i4}</{tag}>\n")
            elif tag == "STATISTIQUES_PROMOTIONS" and fiche.get("stats"):
                w(f"{i4}<STATISTIQUES_PROMOTIONS>\n")
                for year, count, vae in fiche["stats"]:
                    w(
                        f"{i6}<STATISTIQUES_PROMOTION>\n{i8}<ANNEE>{year}</ANNEE>\n{i8}<NOMBRE_CERTIFIES>{count}</NOMBRE_CERTIFIES>\n"
                    )
                    if vae:
                        w(f"{i8}<NOMBRE_CERTIFIES_VAE>{vae}</NOMBRE_CERTIFIES_VAE>\n")
                    w(f"{i6}</STATISTIQUES_PROMOTION>\n")
                w(f"{i4}</STATISTIQUES_PROMOTIONS>\n")
            elif tag == "ANNEES_PROMOTIONS_NIVEAU" and fiche.get("annees"):
                w(f"{i4}<ANNEES_PROMOTIONS_NIVEAU>\n")
                for year in fiche["annees"]:
                    w(f"{i6}<ANNEE>{year}</ANNEE>\n")
                w(f"{i4}</ANNEES_PROMOTIONS_NIVEAU>\n")
            elif tag == "BLOCS_COMPETENCES" and fiche["blocks"]:
                w(f"{i4}<BLOCS_COMPETENCES>\n")
                for b in fiche["blocks"]:
                    w(
                        f"{i6}<BLOC_COMPETENCES>\n{i8}<CODE>{b['CODE']}</CODE>\n"
                        f"{i8}<LIBELLE>{escape(b['LIBELLE'])}</LIBELLE>\n"
                        f"{i8}<LISTE_COMPETENCES>{escape(b['LISTE_COMPETENCES'])}</LISTE_COMPETENCES>\n"
                        f"{i8}<MODALITES_EVALUATION>{escape(b['MODALITES_EVALUATION'])}</MODALITES_EVALUATION>\n"
                        f"{i6}</BLOC_COMPETENCES>\n"
                    )
                w(f"{i4}</BLOCS_COMPETENCES>\n")
            elif tag == "CORRESPONDANCES" and fiche["corr"]:
                w(f"{i4}<CORRESPONDANCES>\n")
                for source, other, others in fiche["corr"]:
                    w(
                        f"{i6}<CORRESPONDANCE>\n{i8}<SOURCE>\n{i10}<BLOC_COMPETENCES>\n{i12}<CODE>{source}</CODE>\n"
                        f"{i10}</BLOC_COMPETENCES>\n{i8}</SOURCE>\n{i8}<DESTINATION>\n{i10}<NUMERO_FICHE>{other}</NUMERO_FICHE>\n"
                    )
                    for code in others:
                        w(f"{i10}<BLOC_COMPETENCES>\n{i12}<CODE>{code}</CODE>\n{i10}</BLOC_COMPETENCES>\n")
                    w(f"{i8}</DESTINATION>\n{i6}</CORRESPONDANCE>\n")
                w(f"{i4}</CORRESPONDANCES>\n")
        w("  </FICHE>\n")
        return "".join(out)

    def write(self, base_dir: Path, changed_dir: Path) -> dict:
        """Stream both exports (and their 1 % variant) to disk; returns what was written."""
        stamp = self.today.strftime("%Y%m%d")
        head = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<FICHES>\n  <VERSION_FLUX>4.1</VERSION_FLUX>\n'
        stats: Counter[str] = Counter()
        files: dict[str, list[str]] = {"base": [], "changed": []}
        for registry in ("rncp", "rs"):
            name = f"export_fiches_{registry.upper()}_V4_1_{stamp}.xml"
            base_path, changed_path = base_dir / name, changed_dir / name
            files["base"].append(str(base_path))
            files["changed"].append(str(changed_path))
            with (
                open(base_path, "w", encoding="utf-8", buffering=1 << 20) as base,
                open(changed_path, "w", encoding="utf-8", buffering=1 << 20) as changed,
            ):
                base.write(head)
                changed.write(head)
                for index, plan in enumerate(self.fiches):
                    if plan["registry"] != registry:
                        continue
                    fiche = self.fiche(index)
                    text = self.render(fiche)
                    base.write(text)
                    if index in self.changes:
                        changed.write(self.render(self.mutate(index, fiche)))
                        stats[f"changed_{self.changes[index]}"] += 1
                    else:
                        changed.write(text)
                    stats[f"fiches_{registry}"] += 1
                    stats["active"] += plan["active"]
                    stats["blocks"] += len(fiche["blocks"])
                    stats["partners"] += len(fiche["partners"])
                    stats["certifiers"] += len(fiche["certifiers"])
                    stats["replacement_links"] += len(fiche["anciennes"])
                base.write("</FICHES>\n")
                changed.write("</FICHES>\n")
        stats["bytes_base"] = sum(Path(p).stat().st_size for p in files["base"])
        stats["changed"] = len(self.changes)
        return {"files": files, "counts": dict(stats)}


# ---------------------------------------------------------------------------------------------
# Steps (each run in a fresh child process)
# ---------------------------------------------------------------------------------------------
def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def step_parse(files: list[str], repeat: int = 3) -> dict:
    """The floor: iterparse FICHE end events, clear, drop the previous siblings, nothing else.

    Best of `repeat` runs: a floor is a lower bound, and one short run is noisy.
    """
    runs = sorted(_parse_once(files) for _ in range(repeat))
    return {
        "wall_s": runs[0][0],
        "cpu_s": runs[0][1],
        "runs_s": [w for w, _, _ in runs],
        "fiches": runs[0][2],
        "peak_rss_mb": _peak_rss_mb(),
    }


def _parse_once(files: list[str]) -> tuple[float, float, int]:
    from lxml import etree

    start, cpu = time.perf_counter(), time.process_time()
    fiches = 0
    for path in files:
        with open(path, "rb") as stream:  # a file object, as the importer gives lxml
            for _event, element in etree.iterparse(
                stream,
                events=("end",),
                tag="FICHE",
                huge_tree=True,
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
            ):
                fiches += 1
                element.clear()
                parent = element.getparent()
                while element.getprevious() is not None:
                    del parent[0]
    return time.perf_counter() - start, time.process_time() - cpu, fiches


def step_import(files: list[str], profile: str | None = None) -> dict:
    import django

    django.setup()
    from parcours.registry.importing.apply import import_registry

    last = [time.perf_counter()]

    def progress(fiches: int, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 15:
            last[0] = now
            print(
                f"    … {fiches} fiches, {100 * done / max(total, 1):.0f} % of bytes, RSS peak {_peak_rss_mb():.0f} MB",
                file=sys.stderr,
                flush=True,
            )

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start, cpu = time.perf_counter(), time.process_time()
    report = import_registry(files, on_progress=progress)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    peak = _peak_rss_mb()
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": peak,
        "report": report.as_dict(),
        "lines": report.lines(),
        "rows": _row_counts(),
    }


def step_read(files: list[str]) -> dict:
    """Informative: the importer's reader alone (records + fingerprints), no database work."""
    import django

    django.setup()
    from parcours.registry.importing.sources import open_sources

    start, cpu = time.perf_counter(), time.process_time()
    fiches = 0
    for source in open_sources(list(files)):
        for record in source.records():
            record.fingerprints()
            fiches += 1
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"wall_s": wall, "cpu_s": cpu, "fiches": fiches, "peak_rss_mb": _peak_rss_mb()}


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    counts = {}
    for model in apps.get_app_config("registry").get_models():
        counts[model.__name__] = model._default_manager.count()
    return counts


PY_SPY_SUFFIXES = {".svg": "flamegraph", ".raw": "raw", ".speedscope": "speedscope"}


def _py_spy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return found if Path(found).exists() else None


def run_child(step: str, files: list[str], env: dict[str, str], result: Path, profile: str | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--result", str(result)]
    if profile and Path(profile).suffix in PY_SPY_SUFFIXES:
        spy = _py_spy()
        if not spy:
            raise SystemExit("py-spy not found (pip install py-spy into the venv), or use a .prof file for cProfile")
        cmd = [spy, "record", "-r", "200", "-f", PY_SPY_SUFFIXES[Path(profile).suffix], "-o", profile, "--", *cmd]
    elif profile:
        cmd += ["--profile", profile]
    cmd += ["--", *files]
    subprocess.run(cmd, env=env, cwd=ROOT, check=True)
    return json.loads(result.read_text())


# ---------------------------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------------------------
def machine() -> dict[str, object]:
    info: dict[str, object] = {"nproc": len(os.sched_getaffinity(0)), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def prepare_data(workdir: Path, scale: float) -> tuple[dict, float, bool]:
    data = workdir / "data"
    manifest_path = data / "manifest.json"
    today = datetime.date.today().isoformat()
    wanted = {"generator": GENERATOR_VERSION, "seed": SEED, "scale": scale, "day": today}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("key") == wanted and all(Path(p).exists() for ps in manifest["files"].values() for p in ps):
            return manifest, manifest.get("generation_s", 0.0), True
    shutil.rmtree(data, ignore_errors=True)
    (data / "base").mkdir(parents=True)
    (data / "changed").mkdir(parents=True)
    start = time.perf_counter()
    generator = Generator(scale)
    written = generator.write(data / "base", data / "changed")
    elapsed = time.perf_counter() - start
    manifest = {"key": wanted, "generation_s": elapsed, **written}
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return manifest, elapsed, False


def setup_database(workdir: Path, force_nonempty: bool) -> tuple[dict[str, str], dict[str, object]]:
    env = dict(os.environ)
    shared = bool(os.environ.get("DATABASE_URL"))
    if not shared:
        db = workdir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"  # not test settings: their batch size is 7
    env["DEBUG"] = "0"  # as in production: no query log
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from parcours.registry.models import Certification

    if shared:
        print(
            "!! DATABASE_URL is set: benchmarking against THAT database, which is shared.\n"
            "!! The synthetic fiches (real-looking codes) will be written there and left behind.",
            file=sys.stderr,
        )
    call_command("migrate", verbosity=0)
    # Data migrations seed a few certifications (CléA, imported_at empty): that is the empty state.
    existing = Certification.objects.count()
    imported = Certification.objects.filter(imported_at__isnull=False).count()
    if imported and not force_nonempty:
        raise SystemExit(
            f"The database already holds {imported} imported certifications: the full import would not be "
            "into an empty database (and would overwrite fiches with the same codes). Use an empty database, "
            "or --force-nonempty."
        )
    if existing:
        print(f"  {existing} certifications created by the migrations (seed data) are in the database.")
    info: dict[str, object] = {
        "vendor": connection.vendor,
        "shared": shared,
        "existing_certifications": existing,
        "existing_imported": imported,
    }
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            info["version"] = cursor.fetchone()[0]
            info["path"] = str(connection.settings_dict["NAME"])
        elif connection.vendor == "postgresql":
            cursor.execute("show server_version")
            info["version"] = cursor.fetchone()[0]
    connection.close()
    return env, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the real export's size (default 1.0)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (data, database) afterwards")
    parser.add_argument("--json", help="write the figures to this JSON file")
    parser.add_argument("--workdir", help="work dir (default bench/out/registry-import-s<scale>)")
    parser.add_argument("--generate-only", action="store_true", help="generate the files and stop")
    parser.add_argument(
        "--profile",
        help="profile one import step (see --profile-step): .prof = cProfile, "
        ".svg/.raw/.speedscope = py-spy (sampling, needs py-spy); its timing is then distorted",
    )
    parser.add_argument(
        "--profile-step",
        choices=["full", "reimport", "changed"],
        default="full",
        help="the step --profile applies to (default: full)",
    )
    parser.add_argument("--force-nonempty", action="store_true", help="accept a database that has certifications")
    parser.add_argument(
        "--with-reader",
        action="store_true",
        help="also time the importer's reader alone (records + fingerprints, no DB), after (d)",
    )
    parser.add_argument("--step", choices=["parse", "read", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.step:  # child process
        if args.step == "parse":
            result = step_parse(args.files)
        elif args.step == "read":
            result = step_read(args.files)
        else:
            result = step_import(args.files, args.profile)
        Path(args.result).write_text(json.dumps(result, default=str))
        return 0

    started = datetime.datetime.now().astimezone()
    workdir = Path(args.workdir) if args.workdir else OUT_DIR / f"registry-import-s{args.scale:g}"
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"Work dir: {workdir}")
    print(f"Generating the synthetic export (scale {args.scale:g}, seed {SEED})…", flush=True)
    manifest, generation_s, reused = prepare_data(workdir, args.scale)
    counts = manifest["counts"]
    print(
        f"  {'reused' if reused else f'generated in {generation_s:.0f} s'}: "
        f"{counts['fiches_rncp']} RNCP + {counts['fiches_rs']} RS fiches ({counts['active']} active), "
        f"{counts['blocks']} blocks, {counts['partners']} partners, {counts['certifiers']} certifiers, "
        f"{counts['replacement_links']} replacement links, {counts['bytes_base'] / 1e6:.0f} MB; "
        f"variant: {counts['changed']} fiches changed "
        f"({', '.join(f'{k[8:]} {v}' for k, v in sorted(counts.items()) if k.startswith('changed_'))})"
    )
    if args.generate_only:
        return 0

    env, db_info = setup_database(workdir, args.force_nonempty)
    base, changed = manifest["files"]["base"], manifest["files"]["changed"]
    steps: dict[str, dict] = {}
    plan = [
        ("parse", "(a) parse floor (best of 3)", "parse", base),
        ("full", "(b) full import, empty DB", "import", base),
        ("reimport", "(c) re-import, unchanged", "import", base),
        ("changed", "(d) import, 1 % changed", "import", changed),
    ]
    if args.with_reader:
        plan.append(("read", "(i) reader only, no DB", "read", base))
    for key, label, step, files in plan:
        print(f"{label}…", flush=True)
        profile = args.profile if key == args.profile_step else None
        load = os.getloadavg()[0]
        steps[key] = run_child(step, files, env, workdir / f"result-{key}.json", profile)
        steps[key]["label"] = label + (" [profiled]" if profile else "")
        steps[key]["load_before"] = load
        print(f"  {steps[key]['wall_s']:.1f} s, peak RSS {steps[key]['peak_rss_mb']:.0f} MB", flush=True)
    if db_info["vendor"] == "sqlite":
        db_info["size_mb"] = round(
            sum(
                Path(f"{db_info['path']}{s}").stat().st_size
                for s in ("", "-wal")
                if Path(f"{db_info['path']}{s}").exists()
            )
            / 1e6
        )

    floor = steps["parse"]["wall_s"]
    full = steps["full"]["wall_s"]
    for step in steps.values():
        step["cpu_wall"] = step["cpu_s"] / step["wall_s"]
        step["x_parse"] = step["wall_s"] / floor
        step["fiches_per_s"] = (counts["fiches_rncp"] + counts["fiches_rs"]) / step["wall_s"]
    steps["reimport"]["x_full"] = steps["reimport"]["wall_s"] / full
    steps["changed"]["x_full"] = steps["changed"]["wall_s"] / full
    if "read" in steps:
        steps["read"]["x_full"] = steps["read"]["wall_s"] / full
    peak = max(s["peak_rss_mb"] for k, s in steps.items() if k in ("full", "reimport", "changed"))
    checks = [
        (
            f"full import <= {TARGETS['full_vs_parse']:g}x parse floor",
            steps["full"]["x_parse"] <= TARGETS["full_vs_parse"],
            f"{steps['full']['x_parse']:.1f}x",
        ),
        (
            f"unchanged re-import <= {TARGETS['reimport_vs_full']:g}x full import",
            steps["reimport"]["x_full"] <= TARGETS["reimport_vs_full"],
            f"{steps['reimport']['x_full']:.2f}x",
        ),
        (f"peak RSS < {TARGETS['peak_rss_mb']:g} MB (imports)", peak < TARGETS["peak_rss_mb"], f"{peak:.0f} MB"),
    ]

    import django

    mach = machine()
    print()
    print("=" * 100)
    print(f"Registry import benchmark — {started:%Y-%m-%d %H:%M %Z} — scale {args.scale:g}")
    print(
        f"Machine: {mach.get('nproc')} CPU ({mach.get('cpu', '?')}), {mach.get('memory_gb', '?')} GB RAM, {mach['platform']}"
    )
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"{db_info['vendor']} {db_info.get('version', '?')}{' (SHARED database)' if db_info['shared'] else ''}, "
        f"lxml {__import__('lxml.etree').etree.__version__}, REGISTRY_IMPORT_BATCH={os.environ.get('REGISTRY_IMPORT_BATCH', 'default')}"
    )
    print(
        f"Data: {counts['fiches_rncp'] + counts['fiches_rs']} fiches ({counts['fiches_rncp']} RNCP, {counts['fiches_rs']} RS, "
        f"{counts['active']} active), {counts['blocks']} blocks, {counts['partners']} partners, "
        f"{counts['certifiers']} certifiers, {counts['bytes_base'] / 1e6:.0f} MB XML; {counts['changed']} fiches changed in the variant"
    )
    print("-" * 100)
    print(f"{'step':<40}{'wall s':>10}{'x parse':>10}{'x full':>9}{'fiches/s':>11}{'peak RSS MB':>14}{'CPU/wall':>10}")
    for step in steps.values():
        x_full = f"{step['x_full']:.2f}" if "x_full" in step else ""
        print(
            f"{step['label']:<40}{step['wall_s']:>10.1f}{step['x_parse']:>10.1f}{x_full:>9}"
            f"{step['fiches_per_s']:>11.0f}{step['peak_rss_mb']:>14.0f}{step['cpu_wall']:>9.0%} "
        )
    starved = [s["label"] for s in steps.values() if s["cpu_wall"] < 0.85]
    if starved:
        print(
            f"NOTE: {', '.join(starved)} got < 85 % of a CPU (load average before each step: "
            + ", ".join(f"{s['load_before']:.1f}" for s in steps.values())
            + f" on {len(os.sched_getaffinity(0))} CPU): other processes competed or I/O waited, "
            "timings are inflated; re-run on a quiet machine."
        )
    print("-" * 100)
    for name, ok, value in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value}")
    print("-" * 100)
    for key in ("full", "reimport", "changed"):
        print(f"{steps[key]['label']} — report:")
        for line in steps[key]["lines"]:
            print(f"    {line}")
    expected = Counter({k[8:]: v for k, v in counts.items() if k.startswith("changed_")})
    report = steps["changed"]["report"]
    print(
        f"Variant sanity: expected {counts['changed']} fiches changed ({expected['end_date_past']} becoming inactive), "
        f"report says {report['fiches_changed']} changed, {report['became_inactive']} became inactive."
    )
    rows = steps["changed"]["rows"]
    print("Rows after (d): " + ", ".join(f"{k} {v}" for k, v in rows.items() if not k.startswith("Historical")))
    print("History rows:   " + ", ".join(f"{k[10:]} {v}" for k, v in rows.items() if k.startswith("Historical")))
    if "size_mb" in db_info:
        print(f"SQLite file after (d): {db_info['size_mb']} MB")
    print("=" * 100)

    if args.json:
        figures = {
            "date": started.isoformat(),
            "scale": args.scale,
            "seed": SEED,
            "machine": mach,
            "versions": {
                "python": platform.python_version(),
                "django": django.get_version(),
                "database": db_info,
                "lxml": __import__("lxml.etree").etree.__version__,
            },
            "data": counts,
            "generation_s": generation_s,
            "steps": steps,
            "targets": TARGETS,
            "checks": [{"target": n, "pass": ok, "value": v} for n, ok, v in checks],
        }
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
        print(f"Figures written to {args.json}")
    if args.keep:
        print(f"Kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
