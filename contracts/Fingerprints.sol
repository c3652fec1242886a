// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Data fingerprints: seed 000's anchoring of off-chain records (spec/fingerprints.md)
/// @notice A record's fingerprint, keccak256 of its canonical encoding, is anchored with its provider, its
/// uploader and the block time; never overwritten, never back-dated, each content once. Providers may
/// delegate the upload to a holder; everybody else is a viewer. reference/fingerprints.py is the oracle.
/// @dev No external calls, no ether.
contract Fingerprints {
    enum Role {
        Viewer,
        Provider,
        Holder
    }

    struct Record {
        // slot 0
        bytes32 fingerprint;
        // slot 1
        bytes32 payloadHash;
        // slot 2
        address provider;
        uint40 recordTime;
        uint40 anchoredAt;
        uint8 kind;
        // slot 3
        address uploader;
    }

    /// @notice The first word of every encoded record (FPR-4).
    bytes32 public constant TAG = keccak256("fairwatt-fingerprint/1");
    uint8 private constant MAX_KIND = 3;

    address public immutable admin;
    Record[] private _records;
    mapping(address account => Role) public roleOf;
    mapping(address provider => mapping(address holder => bool)) public isDelegate;
    mapping(address provider => uint256) public latestRecordTime;
    /// @dev Provider -> content -> record id + 1 (0: not anchored by that provider).
    mapping(address provider => mapping(bytes32 payloadHash => uint256)) private _byPayload;

    event ParticipantRegistered(address indexed account, uint256 role);
    event DelegateSet(address indexed provider, address indexed delegate, bool allowed);
    event FingerprintAnchored(
        uint256 indexed recordId,
        address indexed provider,
        address uploader,
        uint256 kind,
        bytes32 fingerprint,
        uint256 recordTime
    );

    error NotAdmin(address caller);
    error InvalidRole(uint256 role);
    error AlreadyRegistered(address account);
    error NotProvider(address account);
    error NotHolder(address account);
    error NotUploader(address caller, address provider);
    error UnknownKind(uint256 kind);
    error FutureRecord(uint256 recordTime, uint256 now_);
    error BackDated(uint256 recordTime, uint256 latest);
    error AlreadyAnchored(bytes32 payloadHash, uint256 recordId);
    error UnknownRecord(uint256 recordId);

    constructor() {
        admin = msg.sender;
    }

    // ------------------------------------------------------------------ FPR-1

    function registerParticipant(address account, uint256 role) external {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        if (role != uint256(Role.Provider) && role != uint256(Role.Holder)) revert InvalidRole(role);
        if (roleOf[account] != Role.Viewer || account == address(0)) revert AlreadyRegistered(account);
        roleOf[account] = Role(role);
        emit ParticipantRegistered(account, role);
    }

    // ------------------------------------------------------------------ FPR-2

    function setDelegate(address delegate, bool allowed) external {
        if (roleOf[msg.sender] != Role.Provider) revert NotProvider(msg.sender);
        if (roleOf[delegate] != Role.Holder) revert NotHolder(delegate);
        isDelegate[msg.sender][delegate] = allowed;
        emit DelegateSet(msg.sender, delegate, allowed);
    }

    // ------------------------------------------------------------------ FPR-3, FPR-5

    function anchorRecord(address provider, uint256 kind, uint256 recordTime, bytes32 payloadHash)
        external
        returns (uint256 recordId)
    {
        if (roleOf[provider] != Role.Provider) revert NotProvider(provider);
        if (msg.sender != provider && !isDelegate[provider][msg.sender]) revert NotUploader(msg.sender, provider);
        if (kind == 0 || kind > MAX_KIND) revert UnknownKind(kind);
        if (recordTime > block.timestamp) revert FutureRecord(recordTime, block.timestamp);
        uint256 latest = latestRecordTime[provider];
        if (recordTime < latest) revert BackDated(recordTime, latest);
        uint256 known = _byPayload[provider][payloadHash];
        if (known != 0) revert AlreadyAnchored(payloadHash, known - 1);
        bytes32 digest = fingerprintOf(kind, provider, recordTime, payloadHash);
        recordId = _records.length;
        _records.push(
            Record(
                digest, payloadHash, provider, uint40(recordTime), uint40(block.timestamp), uint8(kind), msg.sender
            )
        );
        _byPayload[provider][payloadHash] = recordId + 1;
        latestRecordTime[provider] = recordTime;
        emit FingerprintAnchored(recordId, provider, msg.sender, kind, digest, recordTime);
    }

    // ------------------------------------------------------------------ FPR-4

    /// @notice keccak256(abi.encode(TAG, uint8 kind, provider, uint40 recordTime, payloadHash)).
    function fingerprintOf(uint256 kind, address provider, uint256 recordTime, bytes32 payloadHash)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(TAG, uint8(kind), provider, uint40(recordTime), payloadHash));
    }

    // ------------------------------------------------------------------ FPR-6, FPR-7

    function getRecord(uint256 recordId) external view returns (Record memory) {
        if (recordId >= _records.length) revert UnknownRecord(recordId);
        return _records[recordId];
    }

    function recordCount() external view returns (uint256) {
        return _records.length;
    }

    /// @notice Whether `provider` anchored this content.
    function anchoredBy(address provider, bytes32 payloadHash) external view returns (bool) {
        return _byPayload[provider][payloadHash] != 0;
    }

    /// @notice The kind and record time of `provider`'s record of this content, (0, 0) when it anchored none:
    /// the market's evidence view (FPR-7).
    function recordOf(address provider, bytes32 payloadHash) external view returns (uint256 kind, uint256 recordTime) {
        uint256 known = _byPayload[provider][payloadHash];
        if (known == 0) return (0, 0);
        Record storage r = _records[known - 1];
        return (r.kind, r.recordTime);
    }
}
