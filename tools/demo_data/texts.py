"""Polish free texts of the demo histories: what workers write in goals, titles, notes and reviews.

Some mention the client by first name, as real notes do: the regional feed's de-identification tests rely on free
text carrying personal data.
"""

from __future__ import annotations

import random

from libs.events.schemas.clients import EducationLevel
from libs.events.schemas.plans import Instrument

PROFESSIONS = ("sprzedawca", "magazynier", "kucharz", "ślusarz", "krawcowa", "murarz", "fryzjerka", "kierowca",
               "technik ekonomista", "opiekunka", "pracownik biurowy", "elektryk", "piekarz", "ogrodnik")
EMPLOYERS = ("PPHU Kowalczyk sp.j.", "Biedronka sp. z o.o.", "Zakład Usług Komunalnych", "Hurtownia Agro-Pol",
             "Piekarnia Zdrowy Chleb", "Firma Budowlana Mur-Bud", "Przedsiębiorstwo Transportowe Trans-Śl")
EDUCATION = (EducationLevel.PRIMARY, EducationLevel.LOWER_SECONDARY, EducationLevel.VOCATIONAL,
             EducationLevel.GENERAL_SECONDARY, EducationLevel.VOCATIONAL_SECONDARY, EducationLevel.HIGHER)
EDUCATION_WEIGHTS = (16, 10, 34, 14, 20, 6)

SOCIAL_GOALS = ("uregulowanie zadłużenia czynszowego", "poprawa warunków mieszkaniowych", "podjęcie terapii",
                "zapewnienie opieki nad dziećmi", "wzmocnienie motywacji do pracy", "utrzymanie abstynencji")
VOCATIONAL_GOALS = ("zatrudnienie w handlu", "zatrudnienie w logistyce", "uzyskanie uprawnień", "staż zawodowy",
                    "podniesienie kwalifikacji", "powrót na rynek pracy")
SOCIAL_STEPS = {
    Instrument.SOCIAL_WORK: "Przygotowanie społeczne: budżet domowy i plan dnia",
    Instrument.FAMILY_SUPPORT: "Wsparcie asystenta rodziny",
    Instrument.THERAPY: "Wsparcie psychologa: motywacja",
    Instrument.ADDICTION_TREATMENT: "Terapia uzależnień w poradni",
    Instrument.HOUSING: "Pomoc w sprawach mieszkaniowych",
}
VOCATIONAL_STEPS = {
    Instrument.TRAINING: "Szkolenie: operator wózka widłowego",
    Instrument.PUBLIC_WORKS: "Roboty publiczne: utrzymanie zieleni miejskiej",
    Instrument.INTERVENTION_WORKS: "Prace interwencyjne: pomoc administracyjna",
    Instrument.SOCIALLY_USEFUL_WORKS: "Prace społecznie użyteczne w gminie",
    Instrument.SUBSIDISED_EMPLOYMENT: "Refundacja kosztów wyposażenia stanowiska pracy",
    Instrument.CAREER_COUNSELLING: "Poradnictwo zawodowe: bilans kompetencji",
    Instrument.JOB_OFFER: "Oferta pracy z bazy urzędu",
    Instrument.INTERNSHIP: "Staż u pracodawcy",
}
COMPLETIONS = ("zrealizowano zgodnie z planem", "klient uczestniczył we wszystkich spotkaniach",
               "ukończono z zaświadczeniem", "rozpoczęto zgodnie z umową")
HOUSEHOLD_NOTES = ("{first} mieszka z matką, zadłużenie czynszowe", "samotnie wychowuje dwoje dzieci",
                   "{first} opiekuje się chorym ojcem", "rodzina w trudnej sytuacji materialnej")
HEALTH_NOTES = ("orzeczenie o lekkim stopniu niepełnosprawności", "{first} leczy się na depresję",
                "problemy z kręgosłupem")
FAILURE_NOTES = ("{first} odmówił(a) bez uzasadnienia: praca zmianowa", "nie stawił(a) się w wyznaczonym terminie",
                 "{first} przerwał(a) udział z powodu choroby dziecka")
REVIEWS = ("{first} {last} realizuje plan; przygotowanie społeczne zakończone",
           "Klient(ka) zmotywowany(a), kontynuacja wsparcia", "Spotkanie partnerskie PUP-OPS: bez uwag")
WAIVERS = ("sytuacja rodzinna ustabilizowana; klient gotowy do działań zawodowych",)


def pick(rng: random.Random, texts: tuple[str, ...], **names: str) -> str:
    return rng.choice(texts).format(**names)
