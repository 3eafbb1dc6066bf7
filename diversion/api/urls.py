"""The diversion resources of /api/v1/ (included by stockpile.api_urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from diversion.api import views

router = SimpleRouter()
router.register("parties", views.PartyViewSet, basename="party")
router.register("party-documents", views.PartyDocumentViewSet, basename="party-document")
router.register("transfer-cases", views.TransferCaseViewSet, basename="transfer-case")
router.register("risk-assessments", views.RiskAssessmentViewSet, basename="risk-assessment")
router.register("verifications", views.VerificationViewSet, basename="verification")
router.register(
    "training-allocations", views.TrainingAllocationViewSet, basename="training-allocation"
)
router.register("tracing-requests", views.TracingRequestViewSet, basename="tracing-request")

urlpatterns = [path("trace/", views.TraceApi.as_view(), name="trace"), *router.urls]
