#!/usr/bin/env python
"""Benchmark of the EDOF catalogue import (parcours.catalogue.edof) at a big organisation's scale.

    .venv/bin/python bench/catalogue_import.py [--scale 1.0] [--keep] [--json out.json] [--profile out.prof]

1. Migrates a fresh SQLite database in the work dir (DATABASE_URL and
   DJANGO_SETTINGS_MODULE=config.settings.dev set before django.setup(); DEBUG=0, so no query log),
   imports the bundled registry samples, creates the training organisation (Qualiopi) and its
   habilitations on the certifications the catalogue uses (those active today).
2. Generates (streamed, fixed seed) an EDOF import file shaped like the CDC's sample: 10,000
   formations at --scale 1.0 (4 in 10 RNCP with their blocks, 2 in 10 on a certification without
   blocks, 2 bilans CPF202, 2 VAE CPF200), 3 actions each, 5 sessions per action; texts of the
   sample's lengths. `--scale 0.05` shrinks the count.
3. Measures, each in a fresh child process (own peak RSS via getrusage):
   (a) floor: lxml iterparse of the file with streaming XSD validation (schema=), `formation` end
       events cleared, nothing else: the least any importer must pay to parse and validate;
   (r) the importer's reader alone (XSD per formation + records), no database — informative;
   (b) the import into the empty catalogue; (c) the same file again (nothing changes).
   Target: (b) <= 3x (a). The report also gives queries per formation (b, c).

Work dir: bench/out/catalogue-import-s<scale>/ (git-ignored), removed afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT_DIR = ROOT / "bench" / "out"
REGISTRY = ROOT / "data" / "france-competences" / "mcp-rncp-xml-v4.1"
SEED = 20_261_122
SIRET = "12345678200002"  # valid Luhn key
OFFERS = 10_000
ACTIONS_PER_OFFER = 3
SESSIONS_PER_ACTION = 5
TARGET = 3.0
NS = "https://www.of.moncompteformation.gouv.fr"

WORDS = """
de la le les des et en du un une pour dans sur par au aux avec son sa ses leur est sont mettre
compétences compétence activités activité gestion projet projets équipe client clients entreprise
organisation management technique techniques professionnel professionnelle formation
certification évaluation situation analyser concevoir conduire réaliser élaborer piloter assurer
contrôler organiser identifier définir accompagner coordonner développer adapter communiquer
rédiger appliquer respecter planifier préparer suivre qualité sécurité réglementation données
outils numérique procédures règles besoins ressources stratégie cadre contexte partenaires dossier
écrit oral jury candidat épreuve cas pratique soutenance rapport étude production livrable service
maintenance installation intervention matériel équipements vente achats budget délais performance
indicateurs reporting veille innovation développement handicap accessibilité prévention risques
santé travail hygiène conformité méthodes démarche processus amélioration relation usagers public
patient soins accueil information conseil diagnostic audit expertise logiciel application
""".split()
CITIES = [
    ("75002", "PARIS"),
    ("69003", "LYON"),
    ("13001", "MARSEILLE"),
    ("33000", "BORDEAUX"),
    ("59000", "LILLE"),
    ("44000", "NANTES"),
    ("31000", "TOULOUSE"),
    ("35000", "RENNES"),
    ("67000", "STRASBOURG"),
    ("34000", "MONTPELLIER"),
]


# ---------------------------------------------------------------------------------------------
# The synthetic file
# ---------------------------------------------------------------------------------------------
class Texts:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def words(self, length: int) -> str:
        parts: list[str] = []
        size = 0
        while size < length:
            word = self.rng.choice(WORDS)
            parts.append(word)
            size += len(word) + 1
        text = " ".join(parts)[:length].rstrip()
        return text[:1].upper() + text[1:]

    def around(self, mean: int, spread: float = 0.4) -> str:
        return self.words(max(8, int(mean * self.rng.uniform(1 - spread, 1 + spread))))


def _address(numero: int, name: str, street: tuple[str, str], postal: str, city: str, indent: str) -> str:
    return (
        f'{indent}<adresse numero="{numero}">\n'
        f"{indent}\t<ligne>{escape(name)}</ligne>\n"
        f"{indent}\t<codepostal>{postal}</codepostal>\n"
        f"{indent}\t<ville>{city}</ville>\n"
        f'{indent}\t<extras info="adresse">\n'
        f'{indent}\t\t<extra info="numero-voie">{street[0]}</extra>\n'
        f'{indent}\t\t<extra info="code-nature-voie">RUE</extra>\n'
        f'{indent}\t\t<extra info="libelle-voie">{escape(street[1])}</extra>\n'
        f'{indent}\t\t<extra info="conformite-reglementaire">1</extra>\n'
        f"{indent}\t</extras>\n"
        f"{indent}</adresse>\n"
    )


def _coordinates(numero: int, indent: str, phone: str, address: str = "") -> str:
    return (
        f'{indent}<coordonnees numero="{numero}">\n'
        f"{indent}\t<nom>Martin</nom>\n{indent}\t<prenom>Camille</prenom>\n"
        f"{address}"
        f"{indent}\t<telfixe><numtel>{phone}</numtel></telfixe>\n"
        f"{indent}\t<courriel>contact@organisme-exemple.fr</courriel>\n"
        f"{indent}</coordonnees>\n"
    )


def session_xml(numero: str, start: datetime.date, place: tuple[str, str], street: tuple[str, str]) -> str:
    end = start + datetime.timedelta(days=60)
    return (
        f'\t\t\t\t<session numero="{numero}" datemaj="20261122" datecrea="20261122">\n'
        f"\t\t\t\t\t<periode><debut>{start:%Y%m%d}</debut><fin>{end:%Y%m%d}</fin></periode>\n"
        f"\t\t\t\t\t<adresse-inscription>\n"
        + _address(2, "ORGANISME EXEMPLE", street, *place, indent="\t\t\t\t\t\t")
        + "\t\t\t\t\t</adresse-inscription>\n"
        f"\t\t\t\t\t<etat-recrutement>{'1' if start.month % 4 else '2'}</etat-recrutement>\n"
        '\t\t\t\t\t<extras info="session">\n\t\t\t\t\t\t<extra info="contact-inscription">\n'
        + _coordinates(892, "\t\t\t\t\t\t\t", "0123444444")
        + "\t\t\t\t\t\t</extra>\n"
        '\t\t\t\t\t\t<extra info="garantie">1</extra>\n\t\t\t\t\t</extras>\n\t\t\t\t</session>\n'
    )


def action_xml(numero: str, index: int, texts: Texts, rng: random.Random, day0: datetime.date) -> str:
    postal, city = CITIES[(index + rng.randrange(len(CITIES))) % len(CITIES)]
    street = (str(rng.randint(1, 120)), f"de la {texts.words(12).lower()}")
    hours = 14 * (index + 1) + rng.randint(0, 6) * 7
    price = Decimal(rng.randint(40_000, 600_000)) / 100
    ttc = (price * Decimal("1.2")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    sessions = "".join(
        session_xml(f"{numero}-S{k + 1}", day0 + datetime.timedelta(days=30 * k + 7 * index), (postal, city), street)
        for k in range(SESSIONS_PER_ACTION)
    )
    return (
        f'\t\t\t<action numero="{numero}" datemaj="20261122" datecrea="20261122">\n'
        "\t\t\t\t<niveau-entree-obligatoire>0</niveau-entree-obligatoire>\n"
        f"\t\t\t\t<modalites-enseignement>{index % 2}</modalites-enseignement>\n"
        f"\t\t\t\t<conditions-specifiques>{texts.around(120)}</conditions-specifiques>\n"
        "\t\t\t\t<lieu-de-formation>\n"
        + _coordinates(
            91010, "\t\t\t\t\t", "0123456789", _address(2, "ORGANISME EXEMPLE", street, postal, city, "\t\t\t\t\t\t")
        )
        + "\t\t\t\t</lieu-de-formation>\n"
        "\t\t\t\t<modalites-entrees-sorties>0</modalites-entrees-sorties>\n"
        "\t\t\t\t<url-action><urlweb>https://www.organisme-exemple.fr/formations</urlweb></url-action>\n"
        + sessions
        + "\t\t\t\t<restauration>Restauration possible</restauration>\n"
        "\t\t\t\t<acces-handicapes>0</acces-handicapes>\n"
        "\t\t\t\t<langue-formation>FR</langue-formation>\n"
        "\t\t\t\t<modalites-recrutement>Entretien</modalites-recrutement>\n"
        f"\t\t\t\t<nombre-heures-centre>{hours}</nombre-heures-centre>\n"
        "\t\t\t\t<nombre-heures-entreprise>0</nombre-heures-entreprise>\n"
        '\t\t\t\t<extras info="action">\n\t\t\t\t\t<extra info="contact-information">\n'
        + _coordinates(104, "\t\t\t\t\t\t", "0122222222")
        + "\t\t\t\t\t</extra>\n"
        f'\t\t\t\t\t<extra info="modalites-handicap">{texts.around(80)}</extra>\n'
        f'\t\t\t\t\t<extra info="info-admission">{texts.around(80)}</extra>\n'
        f'\t\t\t\t\t<extra info="duree-apprentissage">{hours}</extra>\n'
        f'\t\t\t\t\t<extra info="frais-certif-inclus-frais-anpec">{index % 2}</extra>\n'
        '\t\t\t\t\t<extras info="frais-pedagogiques">\n'
        '\t\t\t\t\t\t<extra info="taux-tva">20.0</extra>\n'
        f'\t\t\t\t\t\t<extra info="frais-ht">{price:.2f}</extra>\n'
        f'\t\t\t\t\t\t<extra info="frais-ttc">{ttc:.2f}</extra>\n'
        "\t\t\t\t\t</extras>\n"
        '\t\t\t\t\t<extra info="existence-prerequis">1</extra>\n'
        "\t\t\t\t</extras>\n\t\t\t</action>\n"
    )


def formation_xml(i: int, kind: tuple[str, str, list[str]], texts: Texts, rng: random.Random) -> str:
    tag, code, blocks = kind
    numero = f"F{i:06d}"
    day0 = datetime.date(2027, 1, 4) + datetime.timedelta(days=i % 200)
    actions = "".join(action_xml(f"{numero}-A{k + 1}", k, texts, rng, day0) for k in range(ACTIONS_PER_OFFER))
    block_xml = ""
    if blocks:
        block_xml = (
            '\t\t\t\t<extras info="blocs-competences">\n'
            + "".join(f'\t\t\t\t\t<extra info="code-bloc">{b}</extra>\n' for b in blocks)
            + "\t\t\t\t</extras>\n"
            f'\t\t\t\t<extra info="blocs-modifiables">{i % 2}</extra>\n'
        )
    category = '\t\t\t\t<extra info="categorisation-offre">120</extra>\n' if code == "CPF200" else ""
    return (
        f'\t\t<formation numero="{numero}" datemaj="20261122" datecrea="20261122">\n'
        f"\t\t\t<intitule-formation>{texts.around(70)}</intitule-formation>\n"
        f"\t\t\t<objectif-formation><![CDATA[<ul><li>{texts.around(500)}</li></ul>]]></objectif-formation>\n"
        f"\t\t\t<resultats-attendus>{texts.around(250)}</resultats-attendus>\n"
        f"\t\t\t<contenu-formation><![CDATA[<p>{texts.around(1400)}</p>]]></contenu-formation>\n"
        f"\t\t\t<parcours-de-formation>{1 + i % 4}</parcours-de-formation>\n"
        "\t\t\t<objectif-general-formation>2</objectif-general-formation>\n"
        f"\t\t\t<certification><{tag}>{code}</{tag}></certification>\n"
        + actions
        + f"\t\t\t<organisme-formation-responsable><SIRET-organisme-formation><SIRET>{SIRET}</SIRET>"
        "</SIRET-organisme-formation></organisme-formation-responsable>\n"
        '\t\t\t<extras info="formation">\n'
        f'\t\t\t\t<extra info="resume-contenu">{texts.around(150)}</extra>\n'
        + block_xml
        + category
        + "\t\t\t</extras>\n\t\t</formation>\n"
    )


def generate(path: Path, count: int, kinds: list[tuple[str, str, list[str]]]) -> dict[str, int]:
    """Streams the file: one formation string at a time, never the whole document in memory."""
    rng = random.Random(SEED)
    texts = Texts(random.Random(SEED + 1))
    plan = [kinds[0]] * 4 + [kinds[1]] * 2 + [kinds[2]] * 2 + [kinds[3]] * 2
    with open(path, "w", encoding="iso-8859-1", errors="xmlcharrefreplace", buffering=1 << 20) as out:
        out.write(f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<lheo xmlns="{NS}">\n\t<offres>\n')
        for i in range(count):
            out.write(formation_xml(i, plan[i % len(plan)], texts, rng))
        out.write("\t</offres>\n</lheo>\n")
    return {
        "offers": count,
        "actions": count * ACTIONS_PER_OFFER,
        "sessions": count * ACTIONS_PER_OFFER * SESSIONS_PER_ACTION,
        "bytes": path.stat().st_size,
    }


# ---------------------------------------------------------------------------------------------
# Database set-up (parent process)
# ---------------------------------------------------------------------------------------------
def setup_database(workdir: Path) -> tuple[dict[str, str], list[tuple[str, str, list[str]]]]:
    db = workdir / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = dict(os.environ)
    env.update({"DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DEBUG": "0"})
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")})
    import django

    django.setup()
    from django.core.management import call_command

    from parcours.accounts.models import Entity
    from parcours.registry.importing.apply import import_registry
    from parcours.registry.models import Accreditation, Certification

    call_command("migrate", verbosity=0)
    import_registry([REGISTRY / "export_fiches_RNCP_fixture.xml", REGISTRY / "export_fiches_RS_fixture.xml"])
    active = [c for c in Certification.objects.prefetch_related("blocks").order_by("code") if c.is_active()]
    with_blocks = next((c for c in active if c.code == "RNCP40344"), None) or next(c for c in active if c.blocks.all())
    without = next((c for c in active if c.code == "RS6604"), None) or next(c for c in active if not c.blocks.all())
    organisation = Entity.objects.create(
        name="Organisme du banc d'essai",
        siret=SIRET,
        address="1 rue de la Paix, 75002 Paris",
        is_training_organisation=True,
        nda="11755555575",
        qualiopi_training=True,
        qualiopi_valid_until=datetime.date.today() + datetime.timedelta(days=365),
    )
    for certification in (with_blocks, without):
        Accreditation.objects.create(
            certification=certification,
            source="certifier",
            siret=SIRET,
            name=organisation.name,
            kind="train_and_organise",
        )
    kinds = [
        (f"code-{with_blocks.registry.upper()}", with_blocks.code, [b.code for b in with_blocks.blocks.all()]),
        (f"code-{without.registry.upper()}", without.code, []),
        ("code-CPF", "CPF202", []),
        ("code-CPF", "CPF200", []),
    ]
    from django.db import connection

    connection.close()
    return env, kinds


# ---------------------------------------------------------------------------------------------
# Steps (each in a fresh child process)
# ---------------------------------------------------------------------------------------------
def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def step_floor(path: str, repeat: int = 3) -> dict:
    """Parse + XSD-validate, streaming, nothing else (best of `repeat`: a floor is a lower bound)."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(ROOT / "data" / "edof" / "lheo_import_fichier_xml_optimise_v5r2.xsd")))
    runs = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        formations = 0
        with open(path, "rb") as stream:
            for _event, element in etree.iterparse(
                stream,
                events=("end",),
                tag=f"{{{NS}}}formation",
                schema=schema,
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
            ):
                formations += 1
                element.clear(keep_tail=True)
                parent = element.getparent()
                while element.getprevious() is not None:
                    del parent[0]
        runs.append((time.perf_counter() - start, time.process_time() - cpu, formations))
    runs.sort()
    return {"wall_s": runs[0][0], "cpu_s": runs[0][1], "runs_s": [r[0] for r in runs], "peak_rss_mb": _peak_rss_mb()}


def step_read(path: str) -> dict:
    import django

    django.setup()
    from parcours.catalogue.edof.reader import EdofReader

    start, cpu = time.perf_counter(), time.process_time()
    reader = EdofReader(path)
    records = sum(1 + len(r.actions) + sum(len(a.sessions) for a in r.actions) for r in reader.formations())
    return {
        "wall_s": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "records": records,
        "issues": [str(i) for i in reader.issues[:5]],
        "peak_rss_mb": _peak_rss_mb(),
    }


def step_import(path: str, profile: str | None = None) -> dict:
    import django

    django.setup()
    from django.db import connection

    from parcours.accounts.models import Entity
    from parcours.catalogue.edof.importer import import_catalogue

    organisation = Entity.objects.get(siret=SIRET)
    queries = [0]

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries[0] += 1
        return execute(sql, params, many, context)

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    with connection.execute_wrapper(count):
        start, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        report = import_catalogue(path, organisation)
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler:
        profiler.dump_stats(profile)
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": _peak_rss_mb(),
        "queries": queries[0],
        "report": report.as_dict() | {"errors": [str(e) for e in report.errors[:5]]},
        "lines": report.lines()[:6],
    }


def run_child(step: str, path: Path, env: dict[str, str], result: Path, profile: str | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--result", str(result), str(path)]
    if profile:
        cmd += ["--profile", profile]
    completed = subprocess.run(cmd, env=env, cwd=ROOT, check=False)
    if completed.returncode:
        raise SystemExit(f"step {step} failed ({completed.returncode})")
    return json.loads(result.read_text())


def print_profile(profile: str, top: int = 25) -> None:
    import pstats

    print(f"Hot spots of (b), cProfile, by own time (top {top}):")
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of 10,000 formations (default 1.0)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir afterwards")
    parser.add_argument("--json", help="write the figures to this JSON file")
    parser.add_argument("--profile", help="cProfile the full import (b) into this .prof file (timing distorted)")
    parser.add_argument("--step", choices=["floor", "read", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.step:  # child process
        steps = {"floor": step_floor, "read": step_read}
        result = steps[args.step](args.file) if args.step in steps else step_import(args.file, args.profile)
        Path(args.result).write_text(json.dumps(result, default=str))
        return 0

    started = datetime.datetime.now().astimezone()
    workdir = OUT_DIR / f"catalogue-import-s{args.scale:g}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    print(f"Work dir: {workdir}")
    env, kinds = setup_database(workdir)
    count = max(1, round(OFFERS * args.scale))
    path = workdir / "catalogue-edof.xml"
    begin = time.perf_counter()
    data = generate(path, count, kinds)
    print(
        f"Generated {data['offers']} formations, {data['actions']} actions, {data['sessions']} sessions "
        f"({data['bytes'] / 1e6:.1f} MB) in {time.perf_counter() - begin:.1f} s; certifications: "
        + ", ".join(f"{code}{f' ({len(blocks)} blocks)' if blocks else ''}" for _, code, blocks in kinds)
    )
    plan = [
        ("floor", "(a) floor: parse + XSD, streamed", "floor", None),
        ("read", "(r) reader only, no database", "read", None),
        ("full", "(b) import, empty catalogue", "import", args.profile),
        ("again", "(c) same file again", "import", None),
    ]
    steps: dict[str, dict] = {}
    for key, label, step, profile in plan:
        print(f"{label}…", flush=True)
        steps[key] = run_child(step, path, env, workdir / f"result-{key}.json", profile)
        steps[key]["label"] = label + (" [profiled]" if profile else "")
        print(f"  {steps[key]['wall_s']:.2f} s, peak RSS {steps[key]['peak_rss_mb']:.0f} MB", flush=True)

    floor = steps["floor"]["wall_s"]
    ratio = steps["full"]["wall_s"] / floor
    print()
    print("=" * 96)
    print(f"EDOF catalogue import benchmark — {started:%Y-%m-%d %H:%M %Z} — scale {args.scale:g}")
    print(f"Machine: {os.cpu_count()} CPU, {platform.platform()}; Python {platform.python_version()}; SQLite (WAL)")
    print(
        f"Data: {data['offers']} formations × {ACTIONS_PER_OFFER} actions × {SESSIONS_PER_ACTION} sessions, {data['bytes'] / 1e6:.1f} MB"
    )
    print("-" * 96)
    print(f"{'step':<38}{'wall s':>9}{'x floor':>9}{'formations/s':>14}{'queries':>10}{'q/formation':>13}{'RSS MB':>9}")
    for step in steps.values():
        queries = step.get("queries")
        per_formation = f"{queries / data['offers']:.0f}" if queries else ""
        print(
            f"{step['label']:<38}{step['wall_s']:>9.2f}{step['wall_s'] / floor:>9.1f}"
            f"{data['offers'] / step['wall_s']:>14.0f}{queries if queries is not None else '':>10}"
            f"{per_formation:>13}{step['peak_rss_mb']:>9.0f}"
        )
    print("-" * 96)
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"{verdict}  import <= {TARGET:g}x floor: {ratio:.1f}x")
    for key in ("full", "again"):
        print(f"{steps[key]['label']}: " + " | ".join(steps[key]["lines"][1:4]))
        if steps[key]["report"]["errors"]:
            print("  ERRORS:", steps[key]["report"]["errors"])
    print("=" * 96)
    if args.profile:
        print_profile(args.profile)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"date": started.isoformat(), "scale": args.scale, "data": data, "steps": steps, "ratio": ratio},
                indent=2,
                default=str,
            )
        )
        print(f"Figures written to {args.json}")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
