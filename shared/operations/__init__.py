"""The operations plane of the service itself: detection rules → alerts → incidents, monitoring and
capacity limits → breaches → incidents, and notifications to the people on call."""
