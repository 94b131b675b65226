"""The PDF renderer keeps French text (accents, €, guillemets) readable and escaped."""

import io

from pypdf import PdfReader

from parcours.core.pdf import Document, Section, render


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_document_renders_french_text_tables_and_metadata():
    pdf = render(
        Document(
            title="Proposition de commande",
            subtitle="Dossier n° 42",
            reference="Dossier 42",
            sections=[
                Section("Organisme", rows=[("SIRET", "404 833 048 00022"), ("Nom", "Élan & Compétences <SAS>")]),
                Section("Prix", table=[["Désignation", "Montant"], ["Frais pédagogiques", "1 500,00 €"]]),
                Section("Conditions", paragraphs=["« Bon pour accord » : 50 % entre 15 et 7 jours ouvrés."]),
            ],
            closing=["Fait le 22/11/2026"],
        )
    )
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    for expected in ["Proposition de commande", "Élan & Compétences <SAS>", "1 500,00 €", "« Bon pour accord »"]:
        assert expected in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Proposition de commande"


def test_long_tables_flow_over_pages_with_the_reference_on_each():
    rows = [["Bloc", "Intitulé"]] + [[f"RNCP40344BC{i:02d}", "Accueil " * 10] for i in range(120)]
    pdf = render(Document(title="Attestation", reference="Dossier 7", sections=[Section("Blocs", table=rows)]))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    assert all("Dossier 7" in page.extract_text() for page in reader.pages)
