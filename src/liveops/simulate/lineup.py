"""The products a simulated show sells, and the demo lineup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal["引流款", "福利款", "利润款", "爆款", "清仓"]
"""A product's role: traffic driver, welfare item, profit item, hot item, clearance."""

ROLES: tuple[Role, ...] = get_args(Role)


@dataclass(frozen=True, slots=True)
class Product:
    """One product of a show's lineup. Prices are integers in fen; stock in units.

    ``sized`` marks apparel, for which viewers ask about 尺码; it is the simulator's own and is
    not part of `as_json`.
    """

    sku: str
    name: str
    role: Role
    list_price: int
    live_price: int
    allocated_stock: int
    sized: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {self.role!r}")
        for field, value in (
            ("list_price", self.list_price),
            ("live_price", self.live_price),
            ("allocated_stock", self.allocated_stock),
        ):
            # bool is an int subclass; a price of True is a bug, not one fen.
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{field} must be a non-negative integer, not {value!r}")
        if self.live_price < 1:
            raise ValueError("live_price must be at least 1 fen")

    def as_json(self) -> dict[str, str | int]:
        """The product as the server's lineup API takes it."""
        return {
            "sku": self.sku,
            "name": self.name,
            "role": self.role,
            "list_price": self.list_price,
            "live_price": self.live_price,
            "allocated_stock": self.allocated_stock,
        }


# In show order: the hook first, the flash sale mid-show to hold viewers, clearance last. The
# 爆款's first batch is small for a reason: at the demo's pace (`liveops demo`: 30 minutes at 40
# events/s) it runs low about ten minutes in, so the stock panel shows a low-stock alert and a
# restock (补货) in the first quarter hour; the 福利款's 200 go in the 秒杀 a few minutes later.
DEMO_LINEUP: tuple[Product, ...] = (
    Product("LS-FSY-01", "冰丝防晒衣", "引流款", 19900, 9900, 2000, sized=True),
    Product("LS-TXU-02", "新疆长绒棉T恤", "爆款", 12900, 6900, 150, sized=True),
    Product("LS-XMN-03", "氨基酸洗面奶", "福利款", 8900, 990, 200),
    Product("LS-LYQ-04", "桑蚕丝连衣裙", "利润款", 59900, 39900, 600, sized=True),
    Product("LS-BAG-05", "头层牛皮托特包", "利润款", 89900, 59900, 200),
    Product("LS-WZI-06", "纯棉中筒袜5双装", "清仓", 5990, 1990, 1500),
)
"""Six products covering every role; the 福利款 is the one the flash sale (秒杀) is on."""
