"""The import's summary, printed by the command and kept on the RegistryImport row."""

from dataclasses import asdict, dataclass, field

LIST_LIMIT = 50  # codes listed per category in the report; counts are always complete


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    dry_run: bool = False
    fiches_read: int = 0
    fiches_created: int = 0
    fiches_changed: int = 0
    fiches_unchanged: int = 0
    fiches_unknown: int = 0  # members given without Standard, for fiches not in the database
    blocks_added: int = 0
    blocks_removed: int = 0
    blocks_changed: int = 0
    certifiers_linked: int = 0
    certifiers_unlinked: int = 0
    accreditations_added: int = 0
    accreditations_removed: int = 0
    accreditations_changed: int = 0
    replacements_linked: int = 0
    replacements_unlinked: int = 0
    became_inactive: int = 0
    became_inactive_codes: list[str] = field(default_factory=list)
    changed_codes: list[str] = field(default_factory=list)
    non_canonical_block_codes: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.fiches_created or self.fiches_changed or self.replacements_linked or self.replacements_unlinked
        )

    def note(self, bucket: list[str], code: str) -> None:
        if len(bucket) < LIST_LIMIT:
            bucket.append(code)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def lines(self) -> list[str]:
        """The summary in French, one line per figure."""
        prefix = "Simulation (--dry-run) : rien n'a été enregistré. " if self.dry_run else ""
        lines = [
            f"{prefix}Fiches lues : {self.fiches_read}",
            f"Fiches créées : {self.fiches_created}",
            f"Fiches modifiées : {self.fiches_changed}",
            f"Fiches inchangées : {self.fiches_unchanged}",
            f"Blocs ajoutés / supprimés / modifiés : {self.blocks_added} / {self.blocks_removed} / {self.blocks_changed}",
            f"Certificateurs liés / déliés : {self.certifiers_linked} / {self.certifiers_unlinked}",
            f"Habilitations ajoutées / supprimées / modifiées : {self.accreditations_added} / "
            f"{self.accreditations_removed} / {self.accreditations_changed}",
            f"Remplacements liés / déliés : {self.replacements_linked} / {self.replacements_unlinked}",
            f"Certifications devenues inactives : {self.became_inactive}"
            + (f" ({', '.join(self.became_inactive_codes)})" if self.became_inactive_codes else ""),
        ]
        if self.fiches_unknown:
            lines.append(f"Fiches inconnues ignorées (membre sans fichier Standard) : {self.fiches_unknown}")
        if self.non_canonical_block_codes:
            lines.append(
                "Codes de blocs hors format RNCPnBCnn (importés tels quels) : "
                + ", ".join(self.non_canonical_block_codes)
            )
        if not self.changed_anything:
            lines.append("Aucun changement : le répertoire était déjà à jour.")
        return lines
