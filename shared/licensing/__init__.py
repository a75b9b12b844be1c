"""Microsoft licensing reference data: SKUs and their service plans."""

from shared.licensing.catalogue import Catalogue, ServicePlan, Sku, load_catalogue

__all__ = ["Catalogue", "ServicePlan", "Sku", "load_catalogue"]
