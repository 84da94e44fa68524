"""A small embedded table of real gminas: TERYT TERC codes (WWPPGGR), names and postal codes.

Codes follow the TERC register (state of 2024-01-01): WW voivodeship, PP powiat (61+ are cities with powiat
rights), GG gmina, R kind (1 urban, 2 rural, 3 urban-rural). Postal codes are those of the gmina's seat.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Gmina:
    """A gmina: the unit a GOPS/MOPS serves; its powiat is the area of a PUP."""

    teryt: str
    name: str
    postal_codes: tuple[str, ...]

    @property
    def powiat(self) -> str:
        """The 4-digit powiat code (a PUP serves one powiat)."""
        return self.teryt[:4]

    @property
    def voivodeship(self) -> str:
        return self.teryt[:2]

    @property
    def kind(self) -> str:
        """urban, rural or urban-rural (the last TERYT digit)."""
        return {"1": "urban", "2": "rural", "3": "urban-rural"}[self.teryt[6]]

    @property
    def ops_prefix(self) -> str:
        """The usual name of its social-assistance centre: MOPS (town), GOPS (rural), MGOPS (urban-rural)."""
        return {"urban": "MOPS", "rural": "GOPS", "urban-rural": "MGOPS"}[self.kind]


def _g(teryt: str, name: str, *postal_codes: str) -> Gmina:
    return Gmina(teryt, name, postal_codes)


GMINAS: tuple[Gmina, ...] = (
    # śląskie (24): the nineteen cities with powiat rights, and rural gminas of powiat żywiecki
    _g("2461011", "Bielsko-Biała", "43-300", "43-309", "43-316"),
    _g("2462011", "Bytom", "41-900", "41-902", "41-923"),
    _g("2463011", "Chorzów", "41-500", "41-506"),
    _g("2464011", "Częstochowa", "42-200", "42-202", "42-217"),
    _g("2465011", "Dąbrowa Górnicza", "41-300", "41-303"),
    _g("2466011", "Gliwice", "44-100", "44-102", "44-117"),
    _g("2467011", "Jastrzębie-Zdrój", "44-330", "44-335"),
    _g("2468011", "Jaworzno", "43-600", "43-603"),
    _g("2469011", "Katowice", "40-007", "40-124", "40-750"),
    _g("2470011", "Mysłowice", "41-400", "41-404"),
    _g("2471011", "Piekary Śląskie", "41-940", "41-943"),
    _g("2472011", "Ruda Śląska", "41-700", "41-709"),
    _g("2473011", "Rybnik", "44-200", "44-203"),
    _g("2474011", "Siemianowice Śląskie", "41-100", "41-103"),
    _g("2475011", "Sosnowiec", "41-200", "41-205"),
    _g("2476011", "Świętochłowice", "41-600", "41-605"),
    _g("2477011", "Tychy", "43-100", "43-110"),
    _g("2478011", "Zabrze", "41-800", "41-803"),
    _g("2479011", "Żory", "44-240"),
    _g("2417082", "Łodygowice", "34-325"),
    _g("2417092", "Milówka", "34-360"),
    _g("2417112", "Rajcza", "34-370"),
    _g("2417152", "Węgierska Górka", "34-350"),
    # mazowieckie (14): the five cities with powiat rights and gminas of five land powiats
    _g("1461011", "Ostrołęka", "07-410", "07-400"),
    _g("1462011", "Płock", "09-400", "09-402"),
    _g("1463011", "Radom", "26-600", "26-610"),
    _g("1464011", "Siedlce", "08-110", "08-102"),
    _g("1465011", "Warszawa", "00-950", "02-001", "03-300", "04-100"),
    _g("1421021", "Pruszków", "05-800", "05-804"),
    _g("1421011", "Piastów", "05-820"),
    _g("1421033", "Brwinów", "05-840"),
    _g("1421042", "Michałowice", "05-816"),
    _g("1421052", "Nadarzyn", "05-830"),
    _g("1421062", "Raszyn", "05-090"),
    _g("1418043", "Piaseczno", "05-500", "05-501"),
    _g("1418013", "Góra Kalwaria", "05-530"),
    _g("1418023", "Konstancin-Jeziorna", "05-520"),
    _g("1418032", "Lesznowola", "05-506"),
    _g("1418052", "Prażmów", "05-505"),
    _g("1418063", "Tarczyn", "05-555"),
    _g("1417082", "Wiązowna", "05-462"),
    _g("1417072", "Sobienie-Jeziory", "08-443"),
    _g("1417063", "Osieck", "08-445"),
    _g("1438011", "Żyrardów", "96-300"),
    _g("1438023", "Mszczonów", "96-320"),
    _g("1438032", "Puszcza Mariańska", "96-330"),
    _g("1438042", "Radziejowice", "96-325"),
    _g("1438053", "Wiskitki", "96-315"),
    _g("1420011", "Płońsk", "09-100"),
    _g("1420021", "Raciąż", "09-140"),
    _g("1422011", "Przasnysz", "06-300"),
    # dolnośląskie (02): powiaty bolesławiecki and dzierżoniowski
    _g("0201011", "Bolesławiec", "59-700"),
    _g("0201032", "Gromadka", "59-706"),
    _g("0201043", "Nowogrodziec", "59-730"),
    _g("0201052", "Osiecznica", "59-724"),
    _g("0201062", "Warta Bolesławiecka", "59-720"),
    _g("0202021", "Dzierżoniów", "58-200"),
    _g("0202011", "Bielawa", "58-260"),
    _g("0202033", "Pieszyce", "58-250"),
    _g("0202041", "Piława Górna", "58-240"),
    _g("0202062", "Łagiewniki", "58-210"),
    _g("0202073", "Niemcza", "58-230"),
)


def powiats() -> dict[str, list[Gmina]]:
    """Gminas by powiat, in table order (the first gmina of a powiat is its seat)."""
    grouped: dict[str, list[Gmina]] = {}
    for gmina in GMINAS:
        grouped.setdefault(gmina.powiat, []).append(gmina)
    return grouped
