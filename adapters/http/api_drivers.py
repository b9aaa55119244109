"""The drivers' API around the case: the eligibility questions at the scene, the verified
phone number, the join code as a mini-program code, the insurers to choose from and the
notice templates."""

from __future__ import annotations

from typing import Any

from adapters.http.api_cases import CASE_ID
from adapters.http.base import ApiHandler, driver, public
from settlement.errors import UpstreamUnavailable
from settlement.services.drivers import DriverDesk


class _DriversHandler(ApiHandler):
    @property
    def desk(self) -> DriverDesk:
        desk = self.services.drivers
        if desk is None:
            raise UpstreamUnavailable("This server does not offer the drivers' extras.")
        return desk


class PhoneHandler(_DriversHandler):
    @driver
    async def post(self) -> None:
        phone = await self.desk.verify_phone(self.user_id, self.json_body())
        self.respond({"phone": phone, "verified": True})


class JoinWxacodeHandler(_DriversHandler):
    @driver
    async def post(self, case_id: str) -> None:
        image = await self.desk.join_code_image(self.user_id, case_id, self.json_body())
        self.set_header("Content-Type", "image/png" if image[:4] == b"\x89PNG" else "image/jpeg")
        self.finish(image)


class InsurersHandler(_DriversHandler):
    @public
    async def get(self) -> None:
        self.set_header("Cache-Control", "public, max-age=3600")
        self.respond(
            {
                "insurers": [
                    {
                        "code": choice.insurer.code,
                        "name_zh": choice.insurer.name_zh,
                        "name_en": choice.insurer.name_en,
                        "online_claims": choice.online_claims,
                    }
                    for choice in self.desk.insurers()
                ]
            }
        )


class EligibilityHandler(_DriversHandler):
    @public
    async def post(self) -> None:
        self.respond(self.desk.eligibility(self.json_body()))


class NoticeTemplatesHandler(_DriversHandler):
    @public
    async def get(self) -> None:
        self.respond({"templates": self.desk.notice_templates()})


routes: list[tuple[str, type[ApiHandler], dict[str, Any] | None]] = [
    (r"/api/v1/me/phone", PhoneHandler, None),
    (rf"/api/v1/cases/{CASE_ID}/invitation/wxacode", JoinWxacodeHandler, None),
    (r"/api/v1/insurers", InsurersHandler, None),
    (r"/api/v1/notices/templates", NoticeTemplatesHandler, None),
    (r"/api/v1/eligibility", EligibilityHandler, None),
]
