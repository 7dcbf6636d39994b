"""The twelve pinned identifiers of the six shipped cities, as domain.md records them verified.

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
