"""The airlines an itinerary names, as its 承运人 column prints them (data).

:data:`CARRIERS` holds the Chinese carriers with their ticket prefix (the airline's IATA
accounting code, the first three digits of the e-ticket number); :data:`AIRLINES` every
short name the reader accepts, with its IATA code: those, the other mainland, Hong Kong and
Macau carriers and the foreign ones that fly to China. A carrier named outside it, or a
flight number whose airline code is none of these, is taken for a misread and left out.
"""

from __future__ import annotations

__all__ = ["AIRLINES", "AIRLINE_CODES", "CARRIERS", "TICKET_PREFIXES"]

# Short name → (IATA code, ticket prefix).
CARRIERS = {
    "国航": ("CA", "999"), "东航": ("MU", "781"), "南航": ("CZ", "784"), "海航": ("HU", "880"),
    "川航": ("3U", "876"), "深航": ("ZH", "479"), "厦航": ("MF", "731"), "山航": ("SC", "324"),
    "吉祥": ("HO", "018"), "上航": ("FM", "774"), "春秋": ("9C", "089"), "华夏": ("G5", "987"),
    "首都": ("JD", "898"), "天津": ("GS", "826"), "西部": ("PN", "847"), "祥鹏": ("8L", "859"),
    "昆航": ("KY", "833"), "成都": ("EU", "811"), "长龙": ("GJ", "891"), "青岛": ("QW", "912"),
}  # fmt: skip

# Short name → IATA code: the carriers above and the others whose ticket prefix is not checked.
AIRLINES = {
    **{name: code for name, (code, _) in CARRIERS.items()},
    "西藏": "TV", "奥凯": "BK", "联航": "KN", "幸福": "JR", "东海": "DZ", "福州": "FU",
    "瑞丽": "DR", "江西": "RY", "九元": "AQ", "乌航": "UQ", "桂林": "GT", "多彩": "GY",
    "大新华": "CN", "龙江": "LT", "红土": "A6", "北部湾": "GX", "长安": "9H", "河北": "NS",
    "重庆": "OQ", "天骄": "9D", "港航": "HX", "快运": "UO", "国泰": "CX", "港龙": "KA",
    "澳门": "NX", "新航": "SQ", "大韩": "KE", "韩亚": "OZ", "全日空": "NH", "日航": "JL",
    "汉莎": "LH", "法航": "AF", "英航": "BA", "阿联酋": "EK", "卡航": "QR", "长荣": "BR",
    "华航": "CI", "美联航": "UA", "达美": "DL", "美航": "AA", "泰航": "TG", "越航": "VN",
    "马航": "MH", "土航": "TK", "俄航": "SU", "荷航": "KL", "芬航": "AY", "加航": "AC",
    "亚航": "AK", "济州": "7C", "菲航": "PR", "胜安": "MI", "酷航": "TR", "捷星": "3K",
}  # fmt: skip
AIRLINE_CODES = frozenset(AIRLINES.values())
TICKET_PREFIXES = frozenset(prefix for _, prefix in CARRIERS.values())
