/// What each worker and each of its QPU slots did during a run: for `summary.json`.
public struct ClusterAccounting: Sendable, Hashable, Codable {
    public struct Slot: Sendable, Hashable, Codable {
        public var slot: Int
        public var circuits: UInt64 = 0
        public var shots: UInt64 = 0
        public var busySeconds: Double = 0

        enum CodingKeys: String, CodingKey {
            case slot, circuits, shots
            case busySeconds = "busy_seconds"
        }
    }

    public struct Worker: Sendable, Hashable, Codable {
        public var name: String
        public var address: String
        /// The QPU profile the worker announced.
        public var profile: String?
        /// QPU time its requests would take on the modelled hardware (job, gates and shots of
        /// its profile); `nil` when the profile's figures are unknown here (a profile file the
        /// coordinator was not given in cluster.json).
        public var modelledQPUSeconds: Double?
        /// Wall time from sending each request to its answer, as the coordinator saw it.
        public var roundTripSeconds: Double = 0
        /// Why the worker was quarantined for the run (an impossible reply), if it was.
        public var quarantined: String?
        public var slots: [Slot] = []
        /// Evaluate requests answered by this worker.
        public var requests: UInt64 = 0
        /// Requests this worker failed (lost, timed out, refused) that went to another worker.
        public var requestsRetried: UInt64 = 0
        /// Connections made after the first.
        public var reconnects: UInt64 = 0
        /// Times a ready connection to this worker was lost (closed, reset, silent, or a request
        /// timed out); each is followed by reconnection attempts, counted in `reconnects` once
        /// they succeed.
        public var connectionsLost: UInt64 = 0
        public var circuits: UInt64 { slots.reduce(0) { $0 + $1.circuits } }
        public var shots: UInt64 { slots.reduce(0) { $0 + $1.shots } }
        public var busySeconds: Double { slots.reduce(0) { $0 + $1.busySeconds } }
        /// Round trips minus the worker's busy time: network, queues and hand-offs.
        public var waitingSeconds: Double { max(0, roundTripSeconds - busySeconds) }

        enum CodingKeys: String, CodingKey {
            case name, address, profile, slots, requests, reconnects, circuits, shots
            case requestsRetried = "requests_retried"
            case connectionsLost = "connections_lost"
            case busySeconds = "busy_seconds"
            case modelledQPUSeconds = "modelled_qpu_seconds"
            case roundTripSeconds = "round_trip_seconds"
            case waitingSeconds = "waiting_seconds"
            case quarantined
        }

        public init(name: String, address: String) {
            self.name = name
            self.address = address
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            address = try container.decode(String.self, forKey: .address)
            profile = try container.decodeIfPresent(String.self, forKey: .profile)
            modelledQPUSeconds = try container.decodeIfPresent(Double.self, forKey: .modelledQPUSeconds)
            roundTripSeconds = try container.decodeIfPresent(Double.self, forKey: .roundTripSeconds) ?? 0
            quarantined = try container.decodeIfPresent(String.self, forKey: .quarantined)
            slots = try container.decode([Slot].self, forKey: .slots)
            requests = try container.decode(UInt64.self, forKey: .requests)
            requestsRetried = try container.decode(UInt64.self, forKey: .requestsRetried)
            reconnects = try container.decode(UInt64.self, forKey: .reconnects)
            connectionsLost = try container.decodeIfPresent(UInt64.self, forKey: .connectionsLost) ?? 0
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(address, forKey: .address)
            try container.encodeIfPresent(profile, forKey: .profile)
            try container.encode(modelledQPUSeconds, forKey: .modelledQPUSeconds)
            try container.encode(roundTripSeconds, forKey: .roundTripSeconds)
            try container.encode(waitingSeconds, forKey: .waitingSeconds)
            try container.encode(quarantined, forKey: .quarantined)
            try container.encode(slots, forKey: .slots)
            try container.encode(requests, forKey: .requests)
            try container.encode(requestsRetried, forKey: .requestsRetried)
            try container.encode(reconnects, forKey: .reconnects)
            try container.encode(connectionsLost, forKey: .connectionsLost)
            try container.encode(circuits, forKey: .circuits)
            try container.encode(shots, forKey: .shots)
            try container.encode(busySeconds, forKey: .busySeconds)
        }

        mutating func add(slot: Int, circuits: UInt64, shots: UInt64, busySeconds: Double) {
            if let index = slots.firstIndex(where: { $0.slot == slot }) {
                slots[index].circuits += circuits
                slots[index].shots += shots
                slots[index].busySeconds += busySeconds
            } else {
                slots.append(Slot(slot: slot, circuits: circuits, shots: shots, busySeconds: busySeconds))
                slots.sort { $0.slot < $1.slot }
            }
        }
    }

    public var workers: [Worker]
    /// `evaluate` calls (one per time step of a training step or prediction pass).
    public var evaluateCalls: UInt64 = 0
    /// Evaluate frames sent, retries and verifications included.
    public var roundTrips: UInt64 = 0
    /// The most evaluate frames one worker received for one `evaluate` call (1 unless a retry
    /// sent it work twice).
    public var maximumRoundTripsPerWorkerPerCall: UInt64 = 0
    /// With pinned placement (QPU profiles): each sub-VQC's QPU, `forget/0 -> qpu-a (profile)`.
    public var placement: [String]?

    public var circuits: UInt64 { workers.reduce(0) { $0 + $1.circuits } }
    public var shots: UInt64 { workers.reduce(0) { $0 + $1.shots } }
    public var requestsRetried: UInt64 { workers.reduce(0) { $0 + $1.requestsRetried } }
    /// Workers quarantined during the run (each worker's entry says why).
    public var quarantinedWorkers = 0
    /// Items evaluated a second time and compared (`--verify-fraction`).
    public var verifiedItems: UInt64 = 0
    /// Of `verifiedItems`, those checked against the coordinator's own simulation (no other
    /// worker could take them, or two workers disagreed).
    public var verifiedInProcess: UInt64 = 0
    public var reconnects: UInt64 { workers.reduce(0) { $0 + $1.reconnects } }
    public var connectionsLost: UInt64 { workers.reduce(0) { $0 + $1.connectionsLost } }

    public init(workers: [Worker]) {
        self.workers = workers
    }

    /// A connection event of one worker, by its index in cluster.json order.
    public enum ConnectionEvent: Sendable, Hashable {
        case lost(worker: Int)
        case back(worker: Int)
    }

    /// What happened to the workers' connections since `earlier`, read from the counters so a
    /// watcher polling now and then misses nothing: a worker lost and back between two readings
    /// is still two events, and a first connection is no event at all. Per worker, in order:
    /// its losses, then its reconnections.
    public func connectionEvents(since earlier: ClusterAccounting) -> [ConnectionEvent] {
        var events: [ConnectionEvent] = []
        for (index, (old, new)) in zip(earlier.workers, workers).enumerated() {
            let lost = new.connectionsLost > old.connectionsLost ? new.connectionsLost - old.connectionsLost : 0
            let back = new.reconnects > old.reconnects ? new.reconnects - old.reconnects : 0
            events += repeatElement(.lost(worker: index), count: Int(lost))
            events += repeatElement(.back(worker: index), count: Int(back))
        }
        return events
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        workers = try container.decode([Worker].self, forKey: .workers)
        evaluateCalls = try container.decode(UInt64.self, forKey: .evaluateCalls)
        roundTrips = try container.decode(UInt64.self, forKey: .roundTrips)
        maximumRoundTripsPerWorkerPerCall = try container.decode(
            UInt64.self,
            forKey: .maximumRoundTripsPerWorkerPerCall
        )
        placement = try container.decodeIfPresent([String].self, forKey: .placement)
        // Absent in summaries written before quarantine existed.
        quarantinedWorkers = try container.decodeIfPresent(Int.self, forKey: .quarantinedWorkers) ?? 0
        verifiedItems = try container.decodeIfPresent(UInt64.self, forKey: .verifiedItems) ?? 0
        verifiedInProcess = try container.decodeIfPresent(UInt64.self, forKey: .verifiedInProcess) ?? 0
    }

    enum CodingKeys: String, CodingKey {
        case workers
        case evaluateCalls = "evaluate_calls"
        case roundTrips = "round_trips"
        case maximumRoundTripsPerWorkerPerCall = "max_round_trips_per_worker_per_call"
        case placement
        case quarantinedWorkers = "quarantined_workers"
        case verifiedItems = "verified_items"
        case verifiedInProcess = "verified_in_process"
    }
}
