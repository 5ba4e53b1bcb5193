from django.urls import path

from apps.accounts import views

urlpatterns = [
    path("auth/login/", views.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/tokens/", views.TokenCollection.as_view(), name="auth-token-list"),
    path("auth/tokens/<int:pk>/", views.TokenDetail.as_view(), name="auth-token-detail"),
]
