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
    CLAIM_STATUS_FILED: _ClassVar[ClaimStatus]
    CLAIM_STATUS_UNDER_ASSESSMENT: _ClassVar[ClaimStatus]
    CLAIM_STATUS_ASSESSED: _ClassVar[ClaimStatus]
    CLAIM_STATUS_APPROVED: _ClassVar[ClaimStatus]
    CLAIM_STATUS_REJECTED: _ClassVar[ClaimStatus]
    CLAIM_STATUS_PAID: _ClassVar[ClaimStatus]
    CLAIM_STATUS_CANCELLED: _ClassVar[ClaimStatus]
    CLAIM_STATUS_ACKNOWLEDGED: _ClassVar[ClaimStatus]

class Cover(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COVER_UNSPECIFIED: _ClassVar[Cover]
    COVER_COMPULSORY: _ClassVar[Cover]
    COVER_COMMERCIAL_THIRD_PARTY: _ClassVar[Cover]
    COVER_OWN_DAMAGE: _ClassVar[Cover]

class ClaimEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLAIM_EVENT_TYPE_UNSPECIFIED: _ClassVar[ClaimEventType]
    CLAIM_EVENT_TYPE_FILED: _ClassVar[ClaimEventType]
    CLAIM_EVENT_TYPE_EVIDENCE_ADDED: _ClassVar[ClaimEventType]
    CLAIM_EVENT_TYPE_ASSESSED: _ClassVar[ClaimEventType]
    CLAIM_EVENT_TYPE_STATUS_CHANGED: _ClassVar[ClaimEventType]
    CLAIM_EVENT_TYPE_CANCELLED: _ClassVar[ClaimEventType]
CLAIM_STATUS_UNSPECIFIED: ClaimStatus
CLAIM_STATUS_FILED: ClaimStatus
CLAIM_STATUS_UNDER_ASSESSMENT: ClaimStatus
CLAIM_STATUS_ASSESSED: ClaimStatus
CLAIM_STATUS_APPROVED: ClaimStatus
CLAIM_STATUS_REJECTED: ClaimStatus
CLAIM_STATUS_PAID: ClaimStatus
CLAIM_STATUS_CANCELLED: ClaimStatus
CLAIM_STATUS_ACKNOWLEDGED: ClaimStatus
COVER_UNSPECIFIED: Cover
COVER_COMPULSORY: Cover
COVER_COMMERCIAL_THIRD_PARTY: Cover
COVER_OWN_DAMAGE: Cover
CLAIM_EVENT_TYPE_UNSPECIFIED: ClaimEventType
CLAIM_EVENT_TYPE_FILED: ClaimEventType
CLAIM_EVENT_TYPE_EVIDENCE_ADDED: ClaimEventType
CLAIM_EVENT_TYPE_ASSESSED: ClaimEventType
CLAIM_EVENT_TYPE_STATUS_CHANGED: ClaimEventType
CLAIM_EVENT_TYPE_CANCELLED: ClaimEventType

class Money(_message.Message):
    __slots__ = ("currency_code", "amount")
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    currency_code: str
    amount: str
    def __init__(self, currency_code: _Optional[str] = ..., amount: _Optional[str] = ...) -> None: ...

class PayoutLine(_message.Message):
    __slots__ = ("kind", "payee_party", "amount")
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAYEE_PARTY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    kind: str
    payee_party: str
    amount: Money
    def __init__(self, kind: _Optional[str] = ..., payee_party: _Optional[str] = ..., amount: _Optional[_Union[Money, _Mapping]] = ...) -> None: ...

class StatusChange(_message.Message):
    __slots__ = ("status", "change_time", "actor", "reason")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    status: ClaimStatus
    change_time: _timestamp_pb2.Timestamp
    actor: str
    reason: str
    def __init__(self, status: _Optional[_Union[ClaimStatus, str]] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class Evidence(_message.Message):
    __slots__ = ("evidence_id", "media_type", "size_bytes", "sha256", "capture_time")
    EVIDENCE_ID_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    evidence_id: str
    media_type: str
    size_bytes: int
    sha256: str
    capture_time: _timestamp_pb2.Timestamp
    def __init__(self, evidence_id: _Optional[str] = ..., media_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., capture_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Assessment(_message.Message):
    __slots__ = ("assessed_amount", "assessor", "notes", "assess_time")
    ASSESSED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ASSESSOR_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    ASSESS_TIME_FIELD_NUMBER: _ClassVar[int]
    assessed_amount: Money
    assessor: str
    notes: str
    assess_time: _timestamp_pb2.Timestamp
    def __init__(self, assessed_amount: _Optional[_Union[Money, _Mapping]] = ..., assessor: _Optional[str] = ..., notes: _Optional[str] = ..., assess_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Payout(_message.Message):
    __slots__ = ("amount", "paid_time", "transaction_reference")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAID_TIME_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    amount: Money
    paid_time: _timestamp_pb2.Timestamp
    transaction_reference: str
    def __init__(self, amount: _Optional[_Union[Money, _Mapping]] = ..., paid_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., transaction_reference: _Optional[str] = ...) -> None: ...

class Claim(_message.Message):
    __slots__ = ("claim_id", "claim_number", "policy_number", "policyholder_name", "plate_number", "status", "occurred_time", "location", "description", "liability_share", "estimated_loss", "evidence", "assessment", "payout", "create_time", "update_time", "etag", "case_id", "party", "cover", "liability_level", "amount_due", "third_party_loss", "payout_lines", "decided_by", "document_number", "history")
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    CLAIM_NUMBER_FIELD_NUMBER: _ClassVar[int]
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    POLICYHOLDER_NAME_FIELD_NUMBER: _ClassVar[int]
    PLATE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LIABILITY_SHARE_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_LOSS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_FIELD_NUMBER: _ClassVar[int]
    COVER_FIELD_NUMBER: _ClassVar[int]
    LIABILITY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_DUE_FIELD_NUMBER: _ClassVar[int]
    THIRD_PARTY_LOSS_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_LINES_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    claim_id: str
    claim_number: str
    policy_number: str
    policyholder_name: str
    plate_number: str
    status: ClaimStatus
    occurred_time: _timestamp_pb2.Timestamp
    location: str
    description: str
    liability_share: str
    estimated_loss: Money
    evidence: _containers.RepeatedCompositeFieldContainer[Evidence]
    assessment: Assessment
    payout: Payout
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    etag: str
    case_id: str
    party: str
    cover: Cover
    liability_level: str
    amount_due: Money
    third_party_loss: Money
    payout_lines: _containers.RepeatedCompositeFieldContainer[PayoutLine]
    decided_by: str
    document_number: str
    history: _containers.RepeatedCompositeFieldContainer[StatusChange]
    def __init__(self, claim_id: _Optional[str] = ..., claim_number: _Optional[str] = ..., policy_number: _Optional[str] = ..., policyholder_name: _Optional[str] = ..., plate_number: _Optional[str] = ..., status: _Optional[_Union[ClaimStatus, str]] = ..., occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[str] = ..., description: _Optional[str] = ..., liability_share: _Optional[str] = ..., estimated_loss: _Optional[_Union[Money, _Mapping]] = ..., evidence: _Optional[_Iterable[_Union[Evidence, _Mapping]]] = ..., assessment: _Optional[_Union[Assessment, _Mapping]] = ..., payout: _Optional[_Union[Payout, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ..., case_id: _Optional[str] = ..., party: _Optional[str] = ..., cover: _Optional[_Union[Cover, str]] = ..., liability_level: _Optional[str] = ..., amount_due: _Optional[_Union[Money, _Mapping]] = ..., third_party_loss: _Optional[_Union[Money, _Mapping]] = ..., payout_lines: _Optional[_Iterable[_Union[PayoutLine, _Mapping]]] = ..., decided_by: _Optional[str] = ..., document_number: _Optional[str] = ..., history: _Optional[_Iterable[_Union[StatusChange, _Mapping]]] = ...) -> None: ...

class ListClaimsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "status", "updated_after")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AFTER_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    status: ClaimStatus
    updated_after: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., status: _Optional[_Union[ClaimStatus, str]] = ..., updated_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListClaimsResponse(_message.Message):
    __slots__ = ("claims", "next_page_token")
    CLAIMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    claims: _containers.RepeatedCompositeFieldContainer[Claim]
    next_page_token: str
    def __init__(self, claims: _Optional[_Iterable[_Union[Claim, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetClaimRequest(_message.Message):
    __slots__ = ("claim_id",)
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    claim_id: str
    def __init__(self, claim_id: _Optional[str] = ...) -> None: ...

class GetClaimResponse(_message.Message):
    __slots__ = ("claim",)
    CLAIM_FIELD_NUMBER: _ClassVar[int]
    claim: Claim
    def __init__(self, claim: _Optional[_Union[Claim, _Mapping]] = ...) -> None: ...

class StreamEvidenceRequest(_message.Message):
    __slots__ = ("claim_id", "evidence_id", "start_offset")
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_ID_FIELD_NUMBER: _ClassVar[int]
    START_OFFSET_FIELD_NUMBER: _ClassVar[int]
    claim_id: str
    evidence_id: str
    start_offset: int
    def __init__(self, claim_id: _Optional[str] = ..., evidence_id: _Optional[str] = ..., start_offset: _Optional[int] = ...) -> None: ...

class EvidenceHeader(_message.Message):
    __slots__ = ("evidence_id", "media_type", "size_bytes")
    EVIDENCE_ID_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    evidence_id: str
    media_type: str
    size_bytes: int
    def __init__(self, evidence_id: _Optional[str] = ..., media_type: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class EvidenceChunk(_message.Message):
    __slots__ = ("offset", "data")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    offset: int
    data: bytes
    def __init__(self, offset: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class EvidenceTrailer(_message.Message):
    __slots__ = ("sha256", "size_bytes")
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    size_bytes: int
    def __init__(self, sha256: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class StreamEvidenceResponse(_message.Message):
    __slots__ = ("header", "chunk", "trailer")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    TRAILER_FIELD_NUMBER: _ClassVar[int]
    header: EvidenceHeader
    chunk: EvidenceChunk
    trailer: EvidenceTrailer
    def __init__(self, header: _Optional[_Union[EvidenceHeader, _Mapping]] = ..., chunk: _Optional[_Union[EvidenceChunk, _Mapping]] = ..., trailer: _Optional[_Union[EvidenceTrailer, _Mapping]] = ...) -> None: ...

class SubmitAssessmentRequest(_message.Message):
    __slots__ = ("request_id", "claim_id", "assessed_amount", "assessor", "notes", "assess_time", "etag")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    ASSESSED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ASSESSOR_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    ASSESS_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    claim_id: str
    assessed_amount: Money
    assessor: str
    notes: str
    assess_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, request_id: _Optional[str] = ..., claim_id: _Optional[str] = ..., assessed_amount: _Optional[_Union[Money, _Mapping]] = ..., assessor: _Optional[str] = ..., notes: _Optional[str] = ..., assess_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class SubmitAssessmentResponse(_message.Message):
    __slots__ = ("claim",)
    CLAIM_FIELD_NUMBER: _ClassVar[int]
    claim: Claim
    def __init__(self, claim: _Optional[_Union[Claim, _Mapping]] = ...) -> None: ...

class UpdateClaimStatusRequest(_message.Message):
    __slots__ = ("request_id", "claim_id", "status", "reason", "payout", "etag")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    claim_id: str
    status: ClaimStatus
    reason: str
    payout: Payout
    etag: str
    def __init__(self, request_id: _Optional[str] = ..., claim_id: _Optional[str] = ..., status: _Optional[_Union[ClaimStatus, str]] = ..., reason: _Optional[str] = ..., payout: _Optional[_Union[Payout, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class UpdateClaimStatusResponse(_message.Message):
    __slots__ = ("claim",)
    CLAIM_FIELD_NUMBER: _ClassVar[int]
    claim: Claim
    def __init__(self, claim: _Optional[_Union[Claim, _Mapping]] = ...) -> None: ...

class WatchClaimEventsRequest(_message.Message):
    __slots__ = ("cursor", "claim_id")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    claim_id: str
    def __init__(self, cursor: _Optional[str] = ..., claim_id: _Optional[str] = ...) -> None: ...

class WatchClaimEventsResponse(_message.Message):
    __slots__ = ("cursor", "type", "event_time", "claim")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    CLAIM_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    type: ClaimEventType
    event_time: _timestamp_pb2.Timestamp
    claim: Claim
    def __init__(self, cursor: _Optional[str] = ..., type: _Optional[_Union[ClaimEventType, str]] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., claim: _Optional[_Union[Claim, _Mapping]] = ...) -> None: ...
