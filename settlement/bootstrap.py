"""The composition root: builds every adapter once, wires the use cases, runs the servers.

Nothing else imports adapters into the core, and importing this module has no side
effects: resources are created only inside :func:`open_runtime`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import secrets
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import grpc
import tornado.httpserver
import tornado.netutil

from adapters.documents.pdf import ReportlabDocumentRenderer
from adapters.grpc.auth import InsurerAuthInterceptor, server_credentials
from adapters.grpc.insurer_client import GrpcInsurerGateway
from adapters.grpc.mediation_client import GrpcMediationGateway
from adapters.grpc.partners import partner_endpoint
from adapters.grpc.server import start_grpc_server
from adapters.grpc.settlement_servicer import (
    SettlementServiceServicer,
    settlement_service_registrar,
)
from adapters.http import api_photos, console
from adapters.http.app import Route, make_app
from adapters.metrics import Metrics, MetricsInterceptor, counting_deliveries, metrics_app
from adapters.mongo.audit import MongoAuditLog
from adapters.mongo.case_changes import MongoCaseChanges
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.claims import MongoClaimFeed, MongoClaimRepository, MongoOpenCases
from adapters.mongo.client import ensure_indexes, open_client, readiness_probe
from adapters.mongo.documents import MongoDocumentStore, ensure_document_indexes
from adapters.mongo.embedded import EmbeddedMongo
from adapters.mongo.errors import database_error
from adapters.mongo.idempotency import MongoIdempotencyStore
from adapters.mongo.jobs import MongoJobLeases
from adapters.mongo.limits import MongoRateCounter
from adapters.mongo.operations import MongoOperationsProbe
from adapters.mongo.outbox import MongoOutbox
from adapters.mongo.photos import MongoPhotoRepository
from adapters.mongo.recipients import MongoRecipients
from adapters.mongo.request_log import MongoRequestLog
from adapters.mongo.review import MongoReviewQueries
from adapters.mongo.sessions import MongoSessionStore
from adapters.mongo.staff import MongoStaffRepository, MongoStaffSessionStore
from adapters.mongo.types import Database, MongoClient
from adapters.mongo.unit_of_work import MongoUnitOfWork
from adapters.passwords import Argon2PasswordHasher
from adapters.photos.inspector import PillowExifInspector
from adapters.photos.local_store import LocalPhotoStore
from adapters.photos.s3_store import S3PhotoStore, build_s3_client
from adapters.sealing import AesGcmSealer
from adapters.system import RandomIds, SystemClock
from adapters.wechat.client import WeChatApiClient
from adapters.wechat.notifier import WeChatNotifier
from adapters.witness.files import FileWitness
from adapters.witness.keys import load_signer
from adapters.witness.s3 import S3Witness
from settlement.config import (
    COURT,
    RATE_LIMIT_SETTINGS,
    Settings,
    parse_authorities,
    parse_code_pairs,
    parse_key,
    parse_rate,
    parse_templates,
    partner_registry,
)
from settlement.domain.notices import Milestone
from settlement.ports.audit import Witness
from settlement.ports.photos import PhotoStore
from settlement.services.audit import AuditTrail
from settlement.services.auth import DriverAuth
from settlement.services.case_photos import CasePhotos
from settlement.services.claim_filing import ClaimFilings
from settlement.services.console import SLA_TARGET, ReviewConsole, StaffAuth
from settlement.services.container import Services
from settlement.services.dispatcher import Dispatcher, RetryPolicy, partner_handlers
from settlement.services.drivers import DriverDesk
from settlement.services.evidence import EvidenceService
from settlement.services.exchange_support import (
    EvidenceCatalog,
    ExchangeStore,
    NotificationTemplates,
)
from settlement.services.insurer_claims import InsurerClaims
from settlement.services.intake import CaseIntake
from settlement.services.liability import DocumentIssuer, LiabilityDesk
from settlement.services.limits import Limit, RateLimits
from settlement.services.mediation import MediationDesk
from settlement.services.notices import CASE_PAGE, MilestoneNotices
from settlement.services.outbox_admin import OutboxConsole, OutboxDesk
from settlement.services.recent_cases import RecentCases
from settlement.services.reconciliation import reconcile_claims, reconcile_disputes
from settlement.services.scheduler import PeriodicJob, run_jobs
from settlement.services.sealer import Sealer
from settlement.services.supervision import Supervision
from settlement.services.unit_of_work import CaseWriter
from settlement.services.verification import DocumentVerification

log = logging.getLogger(__name__)

PROCESS_ID = f"{os.uname().nodename}:{os.getpid()}:{secrets.token_hex(4)}"
"""Who holds outbox and job leases: unique per process."""


@dataclass
class Runtime:
    """Everything a running service holds, for the servers and for orderly shutdown."""

    settings: Settings
    services: Services
    mongo_client: MongoClient
    db: Database
    embedded: EmbeddedMongo | None
    metrics: Metrics


def build_witness(settings: Settings) -> Witness:
    """Where signed audit checkpoints are kept: a directory, or an S3 bucket."""
    if settings.audit_witness == "s3" and settings.audit_witness_bucket:
        endpoint = settings.audit_witness_endpoint_url or settings.s3_endpoint_url
        return S3Witness(build_s3_client(endpoint_url=endpoint), settings.audit_witness_bucket,
                         settings.audit_witness_prefix)  # fmt: skip
    return FileWitness(settings.audit_witness_path)


def build_services(settings: Settings, db: Database, metrics: Metrics | None = None) -> Services:
    clock = SystemClock()
    ids = RandomIds()
    audit_log = MongoAuditLog(db)
    signer = load_signer(settings.audit_key_path, create=settings.audit_signing_key is None)
    witness = build_witness(settings)
    audit = AuditTrail(audit_log, clock, seals=audit_log, witness=witness, signer=signer)
    sealer = Sealer(
        store=audit_log, witness=witness, signer=signer, clock=clock,
        owner=PROCESS_ID,
        interval=timedelta(milliseconds=settings.audit_seal_interval_ms),
        checkpoint_every=timedelta(seconds=settings.audit_checkpoint_s),
    )  # fmt: skip
    cases = MongoCaseRepository(db)
    outbox = MongoOutbox(db)
    document_store = MongoDocumentStore(db)
    # One writer commits every case change with its messages, documents and audit entry.
    # Drivers poll their cases: a view may come from a read up to case_view_cache_ms old;
    # the writer forgets each case it changes, so this process's changes show at once.
    recent = RecentCases(settings.case_view_cache_ms / 1000)
    writer = CaseWriter(cases=cases, uow=MongoUnitOfWork(db.client), audit=audit,
                        outbox=outbox, documents=document_store, recent=recent)  # fmt: skip
    wechat = WeChatApiClient(
        base_url=settings.wechat_api_base,
        app_id=settings.wechat_app_id,
        app_secret=settings.wechat_app_secret,
    )
    recipients = MongoRecipients(db, AesGcmSealer(parse_key(settings.openid_key)))
    auth = DriverAuth(
        wechat=wechat,
        sessions=MongoSessionStore(db),
        clock=clock,
        ids=ids,
        app_id=settings.wechat_app_id,
        token_ttl=timedelta(seconds=settings.token_ttl_s),
        recipients=recipients,
        audit=audit,
        uow=MongoUnitOfWork(db.client),
    )
    server_api = WeChatNotifier(
        base_url=settings.wechat_api_base,
        app_id=settings.wechat_app_id,
        app_secret=settings.wechat_app_secret,
    )
    templates = parse_templates(settings.wechat_templates)
    milestone_templates = {m: templates[m.value] for m in Milestone if m.value in templates}
    intake = CaseIntake(
        cases=cases,
        clock=clock,
        ids=ids,
        join_code_ttl=timedelta(seconds=settings.join_code_ttl_s),
        claim_insurers=list(parse_code_pairs(settings.insurer_endpoints)),
        writer=writer,
        recent=recent,
    )
    # Console work off the event loop (argon2 hashing, photo file reads) shares one pool.
    console_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="console")
    photo_store: PhotoStore
    if settings.photo_store == "s3" and settings.s3_bucket:
        photo_store = S3PhotoStore(
            build_s3_client(endpoint_url=settings.s3_endpoint_url),
            settings.s3_bucket,
            executor=console_pool,
        )
    else:
        photo_store = LocalPhotoStore(settings.uploads_dir, executor=console_pool)
    photo_repository = MongoPhotoRepository(db)
    # Pillow decoding is CPU-bound: one worker per core bounds memory and keeps the loop free.
    photo_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="photos")
    inspector = PillowExifInspector(
        photo_pool,
        max_bytes=settings.max_photo_bytes,
        max_pixels=settings.max_image_pixels,
        max_full_decode_pixels=settings.max_png_webp_pixels,
    )
    photos = CasePhotos(
        intake=intake,
        evidence=EvidenceService(
            inspector, photo_store, photo_repository, uow=MongoUnitOfWork(db.client), audit=audit
        ),
        photos=photo_repository,
        store=photo_store,
        clock=clock,
    )
    queries = MongoReviewQueries(db)
    exchange = build_exchange(
        settings, db, clock, server_api, recipients, photo_repository, photo_store,
        metrics=metrics, audit=audit, documents=document_store, recent=recent,
    )
    claims = exchange.claims
    documents = DocumentIssuer(
        renderer=ReportlabDocumentRenderer(settings.public_url),
        store=document_store,
        clock=clock,
    )
    # Every replay or cancel commits with its audit entry (console and command line alike).
    outbox_desk = OutboxDesk(MongoOutbox(db), clock, MongoUnitOfWork(db.client), audit)
    return Services(
        auth=auth,
        intake=intake,
        idempotency=MongoIdempotencyStore(db),
        readiness=readiness_probe(db),
        translate_error=database_error,
        limits=RateLimits(
            MongoRateCounter(db),
            clock,
            {
                name.removeprefix("limit_"): Limit(*rate)
                for name in RATE_LIMIT_SETTINGS
                if (rate := parse_rate(getattr(settings, name))) is not None
            },
            audit,
        ),
        claims=claims,
        insurer_claims=exchange.insurer_claims,
        mediation=exchange.mediation,
        dispatcher=exchange.dispatcher,
        exchange_jobs=exchange.jobs,
        outbox=outbox_desk,
        outbox_console=OutboxConsole(outbox_desk, audit),
        job_leases=MongoJobLeases(db),
        photos=photos,
        audit=audit,
        staff_auth=StaffAuth(
            staff=MongoStaffRepository(db),
            sessions=MongoStaffSessionStore(db),
            hasher=Argon2PasswordHasher(console_pool),
            clock=clock,
            ids=ids,
            audit=audit,
            uow=MongoUnitOfWork(db.client),
        ),
        review=ReviewConsole(
            cases=cases,
            writer=writer,
            queries=queries,
            audit=audit,
            clock=clock,
            photos=photo_repository,
            photo_store=photo_store,
            documents=documents,
            settle=claims.settle,
            withdraw=claims.withdraw,
            staff=MongoStaffRepository(db),
            authorities=parse_authorities(settings.authorities),
        ),
        supervision=Supervision(
            queries=queries,
            audit=audit,
            clock=clock,
            cases=cases,
            staff=MongoStaffRepository(db),
            writer=writer,
        ),
        liability=LiabilityDesk(
            cases=cases,
            writer=writer,
            clock=clock,
            ids=ids,
            documents=documents,
            settle=claims.settle,
            photos=photo_repository,
            admissions=settings.online_police_admits,
        ),
        documents=documents,
        verification=DocumentVerification(documents=documents, cases=MongoCaseRepository(db)),
        drivers=DriverDesk(
            intake=intake,
            recipients=recipients,
            wechat=server_api,
            clock=clock,
            filing_insurers=list(parse_code_pairs(settings.insurer_endpoints)),
            milestone_templates=milestone_templates,
            claim_templates={
                k: v for k, v in templates.items() if k.startswith(("claim_", "mediation_"))
            },
            check_path=settings.wechat_miniprogram_state == "formal",
            audit=audit,
            uow=MongoUnitOfWork(db.client),
        ),
        notices=MilestoneNotices(
            outbox=MongoOutbox(db),
            recipients=recipients,
            clock=clock,
            templates=milestone_templates,
            miniprogram_state=settings.wechat_miniprogram_state,
        ),
        case_changes=MongoCaseChanges(db, "driver_notices"),
        sealer=sealer,
    )


@dataclass(frozen=True, slots=True)
class Exchange:
    claims: ClaimFilings
    insurer_claims: InsurerClaims
    mediation: MediationDesk
    dispatcher: Dispatcher
    jobs: tuple[PeriodicJob, ...] = ()


def build_exchange(
    settings: Settings,
    db: Database,
    clock: SystemClock,
    notifier: WeChatNotifier,
    recipients: MongoRecipients,
    photo_repository: MongoPhotoRepository | None = None,
    photo_store: PhotoStore | None = None,
    *,
    metrics: Metrics | None = None,
    audit: AuditTrail | None = None,
    documents: MongoDocumentStore | None = None,
    recent: RecentCases | None = None,
) -> Exchange:
    """The claims, insurer API and mediation use cases, and the outbox dispatcher."""
    outbox = MongoOutbox(db)
    templates = parse_templates(settings.wechat_templates)
    registry = {code: partner_endpoint(p) for code, p in partner_registry(settings).items()}
    court_endpoint = registry.pop(COURT, None)
    reconnect = settings.partner_reconnect_max_s
    insurers = (
        GrpcInsurerGateway(registry, deadline_s=settings.grpc_deadline_s,
                           reconnect_max_s=reconnect)
        if registry else None
    )  # fmt: skip
    mediation = (
        GrpcMediationGateway(court_endpoint, deadline_s=2 * settings.grpc_deadline_s,
                             reconnect_max_s=reconnect)
        if court_endpoint is not None else None
    )  # fmt: skip
    store = ExchangeStore(
        cases=MongoCaseRepository(db),
        claims=MongoClaimRepository(db),
        outbox=outbox,
        uow=MongoUnitOfWork(db.client),
        clock=clock,
        recipients=recipients,
        recent=recent,
        templates=NotificationTemplates(
            claim_filed=templates.get("claim_filed", ""),
            claim_assessed=templates.get("claim_assessed", ""),
            claim_paid=templates.get("claim_paid", ""),
            mediation_outcome=templates.get("mediation_outcome", ""),
            page=CASE_PAGE,
            miniprogram_state=settings.wechat_miniprogram_state,
        ),
        requests=MongoRequestLog(db),
        audit=audit,
        documents=documents,
    )
    evidence = EvidenceCatalog(photo_repository, photo_store)
    claims = ClaimFilings(store, evidence)
    desk = MediationDesk(store, evidence, MongoOpenCases(db), mediation)
    handlers = partner_handlers(
        insurers=insurers,
        mediation=mediation,
        notifier=notifier,
        on_filed=claims.record_filed,
        on_submitted=desk.record_dispute_receipt,
    )
    if metrics is not None:
        handlers = {
            kind: counting_deliveries(metrics, kind, handler) for kind, handler in handlers.items()
        }
    probes: dict[str, Callable[[], bool]] = {}
    jobs: list[PeriodicJob] = []
    if insurers is not None:
        probes.update({f"insurer:{code}": functools.partial(insurers.ready, code)
                       for code in insurers.codes})  # fmt: skip
        gateway = insurers

        async def reconcile_insurers() -> object:
            return await reconcile_claims(outbox, gateway, now=clock.now(),
                                          on_report=claims.record_insurer_report)  # fmt: skip

        jobs.append(PeriodicJob("reconcile.claims", settings.reconcile_interval_s,
                                reconcile_insurers))  # fmt: skip
    if mediation is not None:
        probes["court"] = mediation.ready
        court = mediation

        async def reconcile_court() -> object:
            return await reconcile_disputes(outbox, court, now=clock.now(),
                                            on_report=desk.record_dispute_report)  # fmt: skip

        jobs.append(PeriodicJob("reconcile.disputes", settings.reconcile_interval_s,
                                reconcile_court))  # fmt: skip
        jobs.append(PeriodicJob("mediation.poll", settings.mediation_poll_s,
                                desk.poll_mediations))  # fmt: skip
    lease = settings.outbox_lease_s
    dispatcher = Dispatcher(
        outbox=outbox,
        handlers=handlers,
        owner=PROCESS_ID,
        policy=RetryPolicy(
            max_attempts=settings.outbox_max_attempts,
            base_delay_s=settings.outbox_backoff_base_s,
            max_delay_s=settings.outbox_backoff_max_s,
        ),
        lease_for=timedelta(seconds=lease),
        handler_timeout_s=lease * 2 / 3,
        probes=probes,
    )
    return Exchange(claims, InsurerClaims(claims, evidence, MongoClaimFeed(db)), desk, dispatcher,
                    tuple(jobs))  # fmt: skip


async def follow_case_changes(services: Services, stop: asyncio.Event) -> None:
    """Queue the drivers' milestone notices from the cases' change feed until ``stop``.

    Every process may follow: each notice has a stable request id, so the outbox queues
    it once whoever sees the change first.
    """
    notices, feed = services.notices, services.case_changes
    if notices is None or feed is None or not notices.templates:
        return
    while not stop.is_set():
        try:
            await feed.follow(notices.on_change, stop.is_set)
        except Exception:
            log.exception("driver notices feed failed; restarting")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)


async def run_exchange(
    services: Services, stop: asyncio.Event, poll_s: float | None = None
) -> None:
    """Deliver the outbox and run the exchange's periodic jobs (reconciliation, mediation
    polling) under leases until ``stop`` is set; ``poll_s`` overrides every job's interval."""
    if services.dispatcher is None:
        return
    jobs = [replace(job, interval_s=poll_s) if poll_s else job for job in services.exchange_jobs]
    running = [services.dispatcher.run_forever(stop), follow_case_changes(services, stop)]
    if jobs and services.job_leases is not None:
        running.append(run_jobs(jobs, services.job_leases, owner=PROCESS_ID,
                                clock=lambda: datetime.now(UTC), stop=stop))  # fmt: skip
    await asyncio.gather(*running)


@contextlib.asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Start (or connect to) MongoDB, ensure indexes, build services; undo on exit."""
    embedded: EmbeddedMongo | None = None
    if not settings.openid_key:
        # Sealed openids need a key; a random one means notices reach only drivers who
        # signed in since this start.
        log.warning("SETTLEMENT_OPENID_KEY is not set; using a random one for this run")
        settings = replace(settings, openid_key=secrets.token_hex(32))
    if not settings.cookie_secret:
        # Signed cookies (the console's XSRF token) need a key; a random one works for a
        # single process but makes every restart sign everyone out.
        log.warning("SETTLEMENT_COOKIE_SECRET is not set; using a random one for this run")
        settings = replace(settings, cookie_secret=secrets.token_urlsafe(32))
    uri = settings.mongo_uri
    if uri is None:
        embedded = EmbeddedMongo(settings.data_dir / "mongo", port=0)
        await asyncio.to_thread(embedded.start)
        uri = embedded.uri
    client = open_client(uri)
    try:
        db = client[settings.mongo_db]
        await ensure_indexes(db)
        await ensure_document_indexes(db)
        settings.uploads_dir.mkdir(parents=True, exist_ok=True)
        metrics = Metrics()
        yield Runtime(
            settings, build_services(settings, db, metrics), client, db, embedded, metrics
        )
    finally:
        await client.close()
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)


@dataclass
class RunningServers:
    http: tornado.httpserver.HTTPServer
    http_port: int
    grpc: grpc.aio.Server
    grpc_port: int
    metrics: tornado.httpserver.HTTPServer
    metrics_port: int

    async def stop(self, grace_s: float) -> None:
        self.http.stop()
        self.metrics.stop()
        await self.grpc.stop(grace_s)
        await self.http.close_all_connections()
        await self.metrics.close_all_connections()


async def start_servers(
    runtime: Runtime,
    *,
    extra_routes: Sequence[Route] = (),
    front_links: Sequence[tuple[str, str, str]] = (),
) -> RunningServers:
    """Start the public HTTP server, the gRPC server and the admin (metrics) listener.

    Args:
        extra_routes: more pages (the sandbox's sign-in page).
        front_links: more links for the front door.
    """
    settings = runtime.settings
    app = make_app(
        runtime.services,
        settings,
        extra_routes=[*api_photos.routes, *console.routes, *extra_routes],
        metrics=runtime.metrics,
        front_links=front_links,
    )
    http_server = tornado.httpserver.HTTPServer(
        app,
        # Client addresses are resolved per request, trusting only configured proxies
        # (adapters/http/client_ip.py); Tornado's xheaders would trust any sender.
        xheaders=False,
        # The ceiling of all ceilings; each route's own limit is applied from the
        # headers by the application (SettlementApplication) before any body is read.
        max_body_size=settings.max_photo_bytes + 1024 * 1024,
    )
    sockets = tornado.netutil.bind_sockets(settings.http_port, settings.bind_address)
    http_server.add_sockets(sockets)
    http_port = sockets[0].getsockname()[1]
    registrars = []
    if runtime.services.insurer_claims is not None:
        servicer = SettlementServiceServicer(
            runtime.services.insurer_claims,
            MongoRequestLog(runtime.db),
            translate_error=runtime.services.translate_error,
        )
        registrars.append(settlement_service_registrar(servicer))
    credentials = None
    if settings.grpc_tls_cert and settings.grpc_tls_key and settings.grpc_client_ca:
        credentials = server_credentials(
            settings.grpc_tls_cert, settings.grpc_tls_key, settings.grpc_client_ca
        )
    # Without TLS no caller has a certificate, so the interceptor refuses every insurer
    # call: the insurer API is closed unless mTLS is configured.
    interceptor = InsurerAuthInterceptor(parse_code_pairs(settings.insurer_tokens))
    grpc_server, grpc_port = await start_grpc_server(
        address=f"{settings.bind_address}:{settings.grpc_port}",
        registrars=registrars,
        interceptors=[MetricsInterceptor(runtime.metrics), interceptor],
        credentials=credentials,
    )
    probe = MongoOperationsProbe(
        runtime.db, sla_target=SLA_TARGET, at_risk_after=SLA_TARGET * 2 / 3
    )
    metrics_server = tornado.httpserver.HTTPServer(
        metrics_app(runtime.metrics, probe, settings.metrics_token)
    )
    metrics_sockets = tornado.netutil.bind_sockets(
        settings.metrics_port, settings.metrics_bind_address
    )
    metrics_server.add_sockets(metrics_sockets)
    return RunningServers(
        http_server, http_port, grpc_server, grpc_port,
        metrics_server, metrics_sockets[0].getsockname()[1],
    )  # fmt: skip


async def serve(
    settings: Settings,
    *,
    extra_routes: Sequence[Route] = (),
    front_links: Sequence[tuple[str, str, str]] = (),
    on_started: Callable[[Runtime, RunningServers], Awaitable[None]] | None = None,
) -> None:
    """Run until SIGINT or SIGTERM, then stop servers, database client and embedded mongod.

    Args:
        extra_routes, front_links: see :func:`start_servers` (the sandbox adds its pages).
        on_started: runs once everything listens (the sandbox fills its demo data).
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with open_runtime(settings) as runtime:
        servers = await start_servers(runtime, extra_routes=extra_routes, front_links=front_links)
        where = "embedded MongoDB" if runtime.embedded else "configured MongoDB"
        base = f"http://{settings.bind_address}:{servers.http_port}"
        print(
            f"settlement listening: {base}/ (console {base}/console/, API documentation "
            f"{base}/api/docs), gRPC {settings.bind_address}:{servers.grpc_port}, metrics "
            f"http://{settings.metrics_bind_address}:{servers.metrics_port}/metrics; {where}; "
            f"photos in {settings.uploads_dir if settings.photo_store == 'local' else 's3'}",
            flush=True,
        )
        exchange = asyncio.create_task(run_exchange(runtime.services, stop))
        if on_started is not None:
            await on_started(runtime, servers)
        sealer = runtime.services.sealer
        sealing = asyncio.create_task(sealer.run(stop) if sealer else asyncio.sleep(0))
        await stop.wait()
        log.info("shutting down")
        await servers.stop(settings.shutdown_grace_s)
        # stop is set: the dispatcher finishes its round (leases expire if cut short), and
        # the sealer seals what the servers appended last, checkpoints and lets go.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(exchange, timeout=settings.shutdown_grace_s)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(sealing, timeout=settings.shutdown_grace_s)
