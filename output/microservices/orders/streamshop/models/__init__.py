"""ORM models.  Importing this package registers every table on ``Base.metadata``."""
from .catalog import Product, Title, TitleKind
from .commerce import (
    Cart,
    CartItem,
    Order,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentStatus,
    StockMovement,
)
from .media import PlaybackSession, PlaybackStatus, WatchHistoryEntry
from .notification import Notification, NotificationKind, NotificationPreference
from .user import Address, Subscription, SubscriptionStatus, User

__all__ = [
    
]
