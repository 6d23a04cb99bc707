from django.apps import AppConfig


class SalesOrdersConfig(AppConfig):
    name = "sales_orders"
