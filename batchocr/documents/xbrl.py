"""E-invoice XML: the air e-invoice's XBRL ``atr`` instance, and ordinary ``EInvoice`` files.

Every XML byte goes through :mod:`defusedxml`: no DTD entity is expanded and no external
entity or DTD is fetched, so a document can neither read another file nor blow up memory.
Elements are matched by local name: the ``atr`` namespace URI differs between taxonomy
versions (…/2021-11-30/atr, …/2023-12-31/atr).

>>> doc = (b'<x:xbrl xmlns:x="urn:x" xmlns:atr="urn:t/2023-12-31/atr">'
...        b'<atr:ETicketNumber>7812335902676</atr:ETicketNumber><atr:VatRate>0.09</atr:VatRate>'
...        b'<atr:DetailInformationOfAirTicketTuple><atr:Flight>MU907</atr:Flight>'
...        b'</atr:DetailInformationOfAirTicketTuple></x:xbrl>')
>>> [(d["Name"], d["Value"], d["Row"]) for d in read_xml(doc).data]
[('电子客票号码', '7812335902676', -1), ('增值税税率', '9%', -1), ('航班号', 'MU907', 0)]
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from ..errors import DocumentError
from ..models import InputKind, NameValue
from .pages import DocKind, Foreign, Itinerary

__all__ = ["parse_xml", "read_xml", "xbrl_data"]

# atr element → the Name the form prints (einvoice.md lists the elements).
TICKET_ELEMENTS = {
    "PassengerName": "旅客姓名", "ValidIdNumber": "有效身份证件号码", "Endorsement": "签注",
    "ElectronicInvoiceAirTransportReceiptNumber": "发票号码", "ETicketNumber": "电子客票号码",
    "VerificationCode": "验证码", "PromptInformation": "提示信息", "Insurance": "保险费",
    "AgentCode": "销售网点代号", "IssueParty": "填开单位", "IssueDate": "填开日期",
    "IssuingStatus": "开票状态", "MarkingOfDomesticOrInternational": "国内国际标识",
    "NameOfPurchaser": "购买方名称",
    "UnifiedSocialCreditCodeOfPurchaser": "统一社会信用代码/纳税人识别号",
    "NameOfSeller": "销售方名称", "Fare": "票价", "FuelSurcharge": "燃油附加费",
    "VatRate": "增值税税率", "VatTaxAmount": "增值税税额",
    "CivilAviationDevelopmentFund": "民航发展基金", "OtherTaxes": "其他税费",
    "TotalAmount": "合计",
}  # fmt: skip
SEGMENT_ELEMENTS = {
    "DepartureStation": "自", "DestinationStation": "至", "Carrier": "承运人", "Flight": "航班号",
    "Class": "座位等级", "CarrierDate": "日期", "DepartureTime": "时间",
    "FareBasis": "客票级别/客票类别", "NotValidBefore": "客票生效日期",
    "NotValidAfter": "有效截止日期", "FreeBaggageAllowance": "免费行李",
}  # fmt: skip
SEGMENT_TUPLE = "DetailInformationOfAirTicketTuple"


def local(tag: str) -> str:
    """``{urn:x}Name`` → ``Name``."""
    return tag.rsplit("}", 1)[-1]


def parse_xml(data: bytes, what: str = "XML") -> Element:
    """The root element, parsed with entities, external references and DTDs refused."""
    try:
        root: Element = safe_xml.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise DocumentError(
            f"{what} declares a DTD or entities (refused: unsafe)", InputKind.UNSAFE_XML
        ) from None
    except ParseError as exc:
        raise DocumentError(f"not well-formed {what} ({exc})", InputKind.DAMAGED_XML) from None
    return root


def _rate(text: str) -> str:
    """``0.09`` → ``9%`` as the form prints it; anything else as written."""
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        return text
    if text.endswith("%"):
        return text
    percent = value * 100 if value < 1 else value
    return f"{percent.normalize():f}%"


def xbrl_data(root: Element) -> list[NameValue]:
    """The Name/Value/Row list of an ``atr`` instance (any depth, any namespace)."""
    data: list[NameValue] = []
    segments = [el for el in root.iter() if local(el.tag) == SEGMENT_TUPLE]
    for el in root.iter():
        name = TICKET_ELEMENTS.get(local(el.tag))
        text = (el.text or "").strip()
        if name and text and not _inside(el, segments):
            data.append({"Name": name, "Value": _rate(text) if name == "增值税税率" else text,
                         "Row": -1})  # fmt: skip
    for row, seg in enumerate(_ordered(segments)):
        for el in seg.iter():
            name = SEGMENT_ELEMENTS.get(local(el.tag))
            text = (el.text or "").strip()
            if name and text:
                data.append({"Name": name, "Value": text, "Row": row})
    return data


def _inside(el: Element, segments: list[Element]) -> bool:
    return any(el is sub for seg in segments for sub in seg.iter())


def _ordered(segments: list[Element]) -> list[Element]:
    def number(seg: Element) -> int:
        for el in seg.iter():
            if local(el.tag) == "FlightSegment" and (el.text or "").strip().isdigit():
                return int((el.text or "").strip())
        return 0

    return sorted(segments, key=number)  # stable: without numbers, document order


def read_xml(data: bytes, page: int = 1, backend: DocKind = "xml") -> Itinerary | Foreign:
    """An XBRL ``atr`` instance → Itinerary; another e-invoice XML → Foreign."""
    root = parse_xml(data)
    data_ = xbrl_data(root)
    if any(d["Name"] in ("电子客票号码", "发票号码") for d in data_) and any(
        d["Row"] >= 0 for d in data_
    ):
        return Itinerary(page, backend, data_)
    return _foreign(root, page)


def _foreign(root: Element, page: int) -> Foreign:
    texts = {local(el.tag): (el.text or "").strip() for el in root.iter()}
    number = texts.get("InvoiceNumber") or texts.get("EIid") or None
    if local(root.tag) == "EInvoice":
        kind = "电子发票（EInvoice XML）"
    elif local(root.tag) == "xbrl":
        kind = "XBRL instance without flight data"
    else:
        kind = f"XML document <{local(root.tag)}>"
    return Foreign(page, kind, number)
