# mypy: ignore-errors
import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ClaimStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLAIM_STATUS_UNSPECIFIED: _ClassVar[ClaimStatus]
    CLAIM_STATUS_RECEIVED: _ClassVar[ClaimStatus]
    CLAIM_STATUS_UNDER_ASSESSMENT: _ClassVar[ClaimStatus]
    CLAIM_STATUS_ASSESSED: _ClassVar[ClaimStatus]
    CLAIM_STATUS_APPROVED: _ClassVar[ClaimStatus]
    CLAIM_STATUS_REJECTED: _ClassVar[ClaimStatus]
    CLAIM_STATUS_PAID: _ClassVar[ClaimStatus]
    CLAIM_STATUS_CANCELLED: _ClassVar[ClaimStatus]

class Cover(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COVER_UNSPECIFIED: _ClassVar[Cover]
    COVER_COMPULSORY: _ClassVar[Cover]
    COVER_COMMERCIAL_THIRD_PARTY: _ClassVar[Cover]
    COVER_OWN_DAMAGE: _ClassVar[Cover]
CLAIM_STATUS_UNSPECIFIED: ClaimStatus
CLAIM_STATUS_RECEIVED: ClaimStatus
CLAIM_STATUS_UNDER_ASSESSMENT: ClaimStatus
CLAIM_STATUS_ASSESSED: ClaimStatus
CLAIM_STATUS_APPROVED: ClaimStatus
CLAIM_STATUS_REJECTED: ClaimStatus
CLAIM_STATUS_PAID: ClaimStatus
CLAIM_STATUS_CANCELLED: ClaimStatus
COVER_UNSPECIFIED: Cover
COVER_COMPULSORY: Cover
COVER_COMMERCIAL_THIRD_PARTY: Cover
COVER_OWN_DAMAGE: Cover

class Money(_message.Message):
    __slots__ = ("currency_code", "amount")
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    currency_code: str
    amount: str
    def __init__(self, currency_code: _Optional[str] = ..., amount: _Optional[str] = ...) -> None: ...

class Policyholder(_message.Message):
    __slots__ = ("name", "phone_masked", "plate_number")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_MASKED_FIELD_NUMBER: _ClassVar[int]
    PLATE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    name: str
    phone_masked: str
    plate_number: str
    def __init__(self, name: _Optional[str] = ..., phone_masked: _Optional[str] = ..., plate_number: _Optional[str] = ...) -> None: ...

class AccidentSummary(_message.Message):
    __slots__ = ("occurred_time", "location", "latitude", "longitude", "description")
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    occurred_time: _timestamp_pb2.Timestamp
    location: str
    latitude: float
    longitude: float
    description: str
    def __init__(self, occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., description: _Optional[str] = ...) -> None: ...

class EvidenceRef(_message.Message):
    __slots__ = ("evidence_id", "media_type", "size_bytes", "sha256")
    EVIDENCE_ID_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    evidence_id: str
    media_type: str
    size_bytes: int
    sha256: str
    def __init__(self, evidence_id: _Optional[str] = ..., media_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...

class PayoutLine(_message.Message):
    __slots__ = ("kind", "payee_party", "amount")
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAYEE_PARTY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    kind: str
    payee_party: str
    amount: Money
    def __init__(self, kind: _Optional[str] = ..., payee_party: _Optional[str] = ..., amount: _Optional[_Union[Money, _Mapping]] = ...) -> None: ...

class FileClaimRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "policy_number", "policyholder", "accident", "liability_share", "estimated_loss", "evidence", "claim_id", "party", "cover", "liability_level", "third_party_loss", "amount_due", "payout_lines", "document_number")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    POLICYHOLDER_FIELD_NUMBER: _ClassVar[int]
    ACCIDENT_FIELD_NUMBER: _ClassVar[int]
    LIABILITY_SHARE_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_LOSS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_FIELD_NUMBER: _ClassVar[int]
    COVER_FIELD_NUMBER: _ClassVar[int]
    LIABILITY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    THIRD_PARTY_LOSS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_DUE_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_LINES_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    policy_number: str
    policyholder: Policyholder
    accident: AccidentSummary
    liability_share: str
    estimated_loss: Money
    evidence: _containers.RepeatedCompositeFieldContainer[EvidenceRef]
    claim_id: str
    party: str
    cover: Cover
    liability_level: str
    third_party_loss: Money
    amount_due: Money
    payout_lines: _containers.RepeatedCompositeFieldContainer[PayoutLine]
    document_number: str
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., policy_number: _Optional[str] = ..., policyholder: _Optional[_Union[Policyholder, _Mapping]] = ..., accident: _Optional[_Union[AccidentSummary, _Mapping]] = ..., liability_share: _Optional[str] = ..., estimated_loss: _Optional[_Union[Money, _Mapping]] = ..., evidence: _Optional[_Iterable[_Union[EvidenceRef, _Mapping]]] = ..., claim_id: _Optional[str] = ..., party: _Optional[str] = ..., cover: _Optional[_Union[Cover, str]] = ..., liability_level: _Optional[str] = ..., third_party_loss: _Optional[_Union[Money, _Mapping]] = ..., amount_due: _Optional[_Union[Money, _Mapping]] = ..., payout_lines: _Optional[_Iterable[_Union[PayoutLine, _Mapping]]] = ..., document_number: _Optional[str] = ...) -> None: ...

class FileClaimResponse(_message.Message):
    __slots__ = ("claim_number", "status", "receive_time")
    CLAIM_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    claim_number: str
    status: ClaimStatus
    receive_time: _timestamp_pb2.Timestamp
    def __init__(self, claim_number: _Optional[str] = ..., status: _Optional[_Union[ClaimStatus, str]] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CancelClaimRequest(_message.Message):
    __slots__ = ("request_id", "claim_number", "case_id", "reason", "claim_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CLAIM_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    claim_number: str
    case_id: str
    reason: str
    claim_id: str
    def __init__(self, request_id: _Optional[str] = ..., claim_number: _Optional[str] = ..., case_id: _Optional[str] = ..., reason: _Optional[str] = ..., claim_id: _Optional[str] = ...) -> None: ...

class CancelClaimResponse(_message.Message):
    __slots__ = ("claim_number", "status")
    CLAIM_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    claim_number: str
    status: ClaimStatus
    def __init__(self, claim_number: _Optional[str] = ..., status: _Optional[_Union[ClaimStatus, str]] = ...) -> None: ...

class GetClaimStatusRequest(_message.Message):
    __slots__ = ("claim_number", "case_id", "claim_id")
    CLAIM_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    claim_number: str
    case_id: str
    claim_id: str
    def __init__(self, claim_number: _Optional[str] = ..., case_id: _Optional[str] = ..., claim_id: _Optional[str] = ...) -> None: ...

class Payout(_message.Message):
    __slots__ = ("amount", "paid_time", "transaction_reference")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAID_TIME_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    amount: Money
    paid_time: _timestamp_pb2.Timestamp
    transaction_reference: str
    def __init__(self, amount: _Optional[_Union[Money, _Mapping]] = ..., paid_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., transaction_reference: _Optional[str] = ...) -> None: ...

class GetClaimStatusResponse(_message.Message):
    __slots__ = ("claim_number", "case_id", "status", "assessed_amount", "payout", "status_reason", "update_time", "claim_id")
    CLAIM_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ASSESSED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    claim_number: str
    case_id: str
    status: ClaimStatus
    assessed_amount: Money
    payout: Payout
    status_reason: str
    update_time: _timestamp_pb2.Timestamp
    claim_id: str
    def __init__(self, claim_number: _Optional[str] = ..., case_id: _Optional[str] = ..., status: _Optional[_Union[ClaimStatus, str]] = ..., assessed_amount: _Optional[_Union[Money, _Mapping]] = ..., payout: _Optional[_Union[Payout, _Mapping]] = ..., status_reason: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., claim_id: _Optional[str] = ...) -> None: ...
