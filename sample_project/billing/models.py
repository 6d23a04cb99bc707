from django.db import models


class Invoice(models.Model):
    number = models.CharField(max_length=20)
    order = models.ForeignKey("sales_orders.Order", on_delete=models.PROTECT)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, null=True)
    paid_at = models.DateTimeField(null=True, blank=True)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.CASCADE)
    order_line = models.ForeignKey("sales_orders.OrderLine", on_delete=models.PROTECT)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
