// dcb/dcb.hpp — libdcb, the C++ client of the dcb PostgreSQL extension. Include this.
#pragma once

#include "dcb/backend.hpp"
#include "dcb/errors.hpp"
#include "dcb/event.hpp"
#include "dcb/event_store.hpp"
#include "dcb/filter.hpp"
#include "dcb/filter_builder.hpp"
#include "dcb/json.hpp"
#include "dcb/observability.hpp"
#include "dcb/options.hpp"
#include "dcb/projection.hpp"
#include "dcb/snapshot.hpp"
#include "dcb/subscription.hpp"
#include "dcb/traceparent.hpp"
