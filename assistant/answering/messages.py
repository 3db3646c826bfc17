"""The few fixed sentences an answer may contain, in the languages questions are detected in."""

LEAD = {
    "en": "According to the documents:",
    "fr": "D'après les documents :",
    "it": "Secondo i documenti:",
    "es": "Según los documentos:",
    "de": "Laut den Dokumenten:",
    "pt": "De acordo com os documentos:",
    "nl": "Volgens de documenten:",
    "ru": "Согласно документам:",
    "ro": "Potrivit documentelor:",
}
ABSTAIN = {
    "en": "The documents don't say: nothing in them answers this question.",
    "fr": "Les documents ne le disent pas : rien dans ces documents ne répond à cette question.",
    "it": "I documenti non lo dicono: nulla in questi documenti risponde a questa domanda.",
    "es": "Los documentos no lo dicen: nada en estos documentos responde a esta pregunta.",
    "de": "Die Dokumente sagen es nicht: nichts in diesen Dokumenten beantwortet diese Frage.",
    "pt": "Os documentos não o dizem: nada nestes documentos responde a esta pergunta.",
    "nl": "De documenten zeggen het niet: niets in deze documenten beantwoordt deze vraag.",
    "ru": "В документах этого нет: ничто в них не отвечает на этот вопрос.",
    "ro": "Documentele nu spun acest lucru: nimic din ele nu răspunde la această întrebare.",
}
EMPTY_INDEX = {
    "en": "No documents are indexed yet: add some with `assistant ingest PATH` or the upload button.",
    "fr": "Aucun document n'est encore indexé : ajoutez-en avec `assistant ingest CHEMIN` ou le bouton d'envoi.",
}


def lead(lang: str) -> str:
    return LEAD.get(lang, LEAD["en"])


def abstain(lang: str) -> str:
    return ABSTAIN.get(lang, ABSTAIN["en"])


def empty_index(lang: str) -> str:
    return EMPTY_INDEX.get(lang, EMPTY_INDEX["en"])

WAITING = {
    "en": "(The written answer is waiting for another question's to finish…)",
    "fr": "(La réponse rédigée attend la fin d'une autre…)",
    "it": "(La risposta scritta attende che un'altra finisca…)",
    "es": "(La respuesta redactada espera a que termine otra…)",
    "de": "(Die geschriebene Antwort wartet, bis eine andere fertig ist…)",
}
NO_WRITTEN = {
    "en": "No checked written answer could be made: the quoted passages above are the evidence.",
    "fr": "Aucune réponse rédigée vérifiée n'a pu être produite : les passages cités ci-dessus sont les preuves.",
    "it": "Non è stato possibile scrivere una risposta verificata: i passi citati sopra sono le prove.",
    "es": "No se pudo redactar una respuesta verificada: los pasajes citados arriba son las pruebas.",
    "de": "Es konnte keine geprüfte Antwort geschrieben werden: die zitierten Passagen oben sind die Belege.",
}
WRITTEN_HEAD = {"en": "Answer:", "fr": "Réponse :", "it": "Risposta:", "es": "Respuesta:", "de": "Antwort:",
                "ru": "Ответ:", "ro": "Răspuns:"}


def waiting(lang: str) -> str:
    return "\n\n" + WAITING.get(lang, WAITING["en"])


def no_written(lang: str) -> str:
    return NO_WRITTEN.get(lang, NO_WRITTEN["en"])


def written_head(lang: str) -> str:
    return WRITTEN_HEAD.get(lang, WRITTEN_HEAD["en"])
