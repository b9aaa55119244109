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

class PartyRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARTY_ROLE_UNSPECIFIED: _ClassVar[PartyRole]
    PARTY_ROLE_DRIVER: _ClassVar[PartyRole]
    PARTY_ROLE_VEHICLE_OWNER: _ClassVar[PartyRole]
    PARTY_ROLE_INSURER: _ClassVar[PartyRole]

class DisputeStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISPUTE_STAGE_UNSPECIFIED: _ClassVar[DisputeStage]
    DISPUTE_STAGE_RECEIVED: _ClassVar[DisputeStage]
    DISPUTE_STAGE_MEDIATING: _ClassVar[DisputeStage]
    DISPUTE_STAGE_MEDIATION_FAILED: _ClassVar[DisputeStage]
    DISPUTE_STAGE_AWAITING_CONFIRMATION: _ClassVar[DisputeStage]
    DISPUTE_STAGE_CONFIRMED: _ClassVar[DisputeStage]
    DISPUTE_STAGE_CONFIRMATION_REJECTED: _ClassVar[DisputeStage]
    DISPUTE_STAGE_WITHDRAWN: _ClassVar[DisputeStage]

class MediationResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MEDIATION_RESULT_UNSPECIFIED: _ClassVar[MediationResult]
    MEDIATION_RESULT_AGREED: _ClassVar[MediationResult]
    MEDIATION_RESULT_FAILED: _ClassVar[MediationResult]
    MEDIATION_RESULT_WITHDRAWN: _ClassVar[MediationResult]

class ConfirmationResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONFIRMATION_RESULT_UNSPECIFIED: _ClassVar[ConfirmationResult]
    CONFIRMATION_RESULT_CONFIRMED: _ClassVar[ConfirmationResult]
    CONFIRMATION_RESULT_REJECTED: _ClassVar[ConfirmationResult]
PARTY_ROLE_UNSPECIFIED: PartyRole
PARTY_ROLE_DRIVER: PartyRole
PARTY_ROLE_VEHICLE_OWNER: PartyRole
PARTY_ROLE_INSURER: PartyRole
DISPUTE_STAGE_UNSPECIFIED: DisputeStage
DISPUTE_STAGE_RECEIVED: DisputeStage
DISPUTE_STAGE_MEDIATING: DisputeStage
DISPUTE_STAGE_MEDIATION_FAILED: DisputeStage
DISPUTE_STAGE_AWAITING_CONFIRMATION: DisputeStage
DISPUTE_STAGE_CONFIRMED: DisputeStage
DISPUTE_STAGE_CONFIRMATION_REJECTED: DisputeStage
DISPUTE_STAGE_WITHDRAWN: DisputeStage
MEDIATION_RESULT_UNSPECIFIED: MediationResult
MEDIATION_RESULT_AGREED: MediationResult
MEDIATION_RESULT_FAILED: MediationResult
MEDIATION_RESULT_WITHDRAWN: MediationResult
CONFIRMATION_RESULT_UNSPECIFIED: ConfirmationResult
CONFIRMATION_RESULT_CONFIRMED: ConfirmationResult
CONFIRMATION_RESULT_REJECTED: ConfirmationResult

class Money(_message.Message):
    __slots__ = ("currency_code", "amount")
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    currency_code: str
    amount: str
    def __init__(self, currency_code: _Optional[str] = ..., amount: _Optional[str] = ...) -> None: ...

class Party(_message.Message):
    __slots__ = ("party_id", "role", "name", "id_number_masked", "phone", "plate_number", "insurer_code", "policy_number")
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_NUMBER_MASKED_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    PLATE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    INSURER_CODE_FIELD_NUMBER: _ClassVar[int]
    POLICY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    party_id: str
    role: PartyRole
    name: str
    id_number_masked: str
    phone: str
    plate_number: str
    insurer_code: str
    policy_number: str
    def __init__(self, party_id: _Optional[str] = ..., role: _Optional[_Union[PartyRole, str]] = ..., name: _Optional[str] = ..., id_number_masked: _Optional[str] = ..., phone: _Optional[str] = ..., plate_number: _Optional[str] = ..., insurer_code: _Optional[str] = ..., policy_number: _Optional[str] = ...) -> None: ...

class AccidentFacts(_message.Message):
    __slots__ = ("occurred_time", "location", "description")
    OCCURRED_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    occurred_time: _timestamp_pb2.Timestamp
    location: str
    description: str
    def __init__(self, occurred_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class LiabilityShare(_message.Message):
    __slots__ = ("party_id", "share")
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    SHARE_FIELD_NUMBER: _ClassVar[int]
    party_id: str
    share: str
    def __init__(self, party_id: _Optional[str] = ..., share: _Optional[str] = ...) -> None: ...

class LiabilityDetermination(_message.Message):
    __slots__ = ("document_number", "issuer", "issue_time", "shares", "rule")
    DOCUMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    ISSUE_TIME_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    document_number: str
    issuer: str
    issue_time: _timestamp_pb2.Timestamp
    shares: _containers.RepeatedCompositeFieldContainer[LiabilityShare]
    rule: str
    def __init__(self, document_number: _Optional[str] = ..., issuer: _Optional[str] = ..., issue_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shares: _Optional[_Iterable[_Union[LiabilityShare, _Mapping]]] = ..., rule: _Optional[str] = ...) -> None: ...

class LossItem(_message.Message):
    __slots__ = ("description", "amount")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    description: str
    amount: Money
    def __init__(self, description: _Optional[str] = ..., amount: _Optional[_Union[Money, _Mapping]] = ...) -> None: ...

class LossStatement(_message.Message):
    __slots__ = ("items", "total")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[LossItem]
    total: Money
    def __init__(self, items: _Optional[_Iterable[_Union[LossItem, _Mapping]]] = ..., total: _Optional[_Union[Money, _Mapping]] = ...) -> None: ...

class EvidenceItem(_message.Message):
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

class CaseFile(_message.Message):
    __slots__ = ("case_id", "parties", "facts", "determination", "loss", "evidence")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    FACTS_FIELD_NUMBER: _ClassVar[int]
    DETERMINATION_FIELD_NUMBER: _ClassVar[int]
    LOSS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    parties: _containers.RepeatedCompositeFieldContainer[Party]
    facts: AccidentFacts
    determination: LiabilityDetermination
    loss: LossStatement
    evidence: _containers.RepeatedCompositeFieldContainer[EvidenceItem]
    def __init__(self, case_id: _Optional[str] = ..., parties: _Optional[_Iterable[_Union[Party, _Mapping]]] = ..., facts: _Optional[_Union[AccidentFacts, _Mapping]] = ..., determination: _Optional[_Union[LiabilityDetermination, _Mapping]] = ..., loss: _Optional[_Union[LossStatement, _Mapping]] = ..., evidence: _Optional[_Iterable[_Union[EvidenceItem, _Mapping]]] = ...) -> None: ...

class SubmitDisputeRequest(_message.Message):
    __slots__ = ("request_id", "case_file", "applicant_party_id", "court_region_code", "dispute_reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_FILE_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    COURT_REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    DISPUTE_REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_file: CaseFile
    applicant_party_id: str
    court_region_code: str
    dispute_reason: str
    def __init__(self, request_id: _Optional[str] = ..., case_file: _Optional[_Union[CaseFile, _Mapping]] = ..., applicant_party_id: _Optional[str] = ..., court_region_code: _Optional[str] = ..., dispute_reason: _Optional[str] = ...) -> None: ...

class SubmitDisputeResponse(_message.Message):
    __slots__ = ("dispute_id", "stage", "receive_time")
    DISPUTE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    dispute_id: str
    stage: DisputeStage
    receive_time: _timestamp_pb2.Timestamp
    def __init__(self, dispute_id: _Optional[str] = ..., stage: _Optional[_Union[DisputeStage, str]] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetDisputeStatusRequest(_message.Message):
    __slots__ = ("dispute_id", "case_id")
    DISPUTE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    dispute_id: str
    case_id: str
    def __init__(self, dispute_id: _Optional[str] = ..., case_id: _Optional[str] = ...) -> None: ...

class MediationOutcome(_message.Message):
    __slots__ = ("result", "agreed_amount", "agreement_number", "mediator", "conclude_time")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    AGREED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    MEDIATOR_FIELD_NUMBER: _ClassVar[int]
    CONCLUDE_TIME_FIELD_NUMBER: _ClassVar[int]
    result: MediationResult
    agreed_amount: Money
    agreement_number: str
    mediator: str
    conclude_time: _timestamp_pb2.Timestamp
    def __init__(self, result: _Optional[_Union[MediationResult, str]] = ..., agreed_amount: _Optional[_Union[Money, _Mapping]] = ..., agreement_number: _Optional[str] = ..., mediator: _Optional[str] = ..., conclude_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class JudicialConfirmation(_message.Message):
    __slots__ = ("result", "ruling_number", "court_name", "decide_time")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    RULING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    COURT_NAME_FIELD_NUMBER: _ClassVar[int]
    DECIDE_TIME_FIELD_NUMBER: _ClassVar[int]
    result: ConfirmationResult
    ruling_number: str
    court_name: str
    decide_time: _timestamp_pb2.Timestamp
    def __init__(self, result: _Optional[_Union[ConfirmationResult, str]] = ..., ruling_number: _Optional[str] = ..., court_name: _Optional[str] = ..., decide_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetDisputeStatusResponse(_message.Message):
    __slots__ = ("dispute_id", "case_id", "stage", "mediation", "judicial_confirmation", "update_time")
    DISPUTE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    MEDIATION_FIELD_NUMBER: _ClassVar[int]
    JUDICIAL_CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    dispute_id: str
    case_id: str
    stage: DisputeStage
    mediation: MediationOutcome
    judicial_confirmation: JudicialConfirmation
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, dispute_id: _Optional[str] = ..., case_id: _Optional[str] = ..., stage: _Optional[_Union[DisputeStage, str]] = ..., mediation: _Optional[_Union[MediationOutcome, _Mapping]] = ..., judicial_confirmation: _Optional[_Union[JudicialConfirmation, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
