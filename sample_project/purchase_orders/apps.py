from django.apps import AppConfig


class PurchaseOrdersConfig(AppConfig):
    name = "purchase_orders"
