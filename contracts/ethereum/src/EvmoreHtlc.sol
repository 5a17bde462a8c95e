// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// @dev The subset of ERC-20 the HTLC uses. Return values are NOT relied upon (see _callToken).
interface IERC20Like {
    function balanceOf(address account) external view returns (uint256);
}

/// @title EVMore hash-time-locked contract: many locks of native ETH or ERC-20 tokens in one contract.
/// @notice A lock pays its stored receiver when someone presents the 32-byte secret whose sha256 is the
/// hashlock before the timelock, and its stored sender after the timelock. Anyone may call claim/refund:
/// the payee is fixed at lock time.
/// @dev Fee-on-transfer tokens are REJECTED: the lock measures what actually arrived and reverts unless it
/// is exactly `amount`, so an emitted amount is always what the contract holds for the lock.
contract EvmoreHtlc {
    /// Longest timelock accepted, counted from the lock's block time.
    uint256 public constant MAX_TIMELOCK_HORIZON = 30 days;
    /// Longest targetChain / targetAddress in bytes.
    uint256 public constant MAX_TARGET_LENGTH = 128;

    enum Status { None, Open, Claimed, Refunded }

    struct Lock {
        address sender;
        address receiver;
        address token;
        uint64 timelock;
        Status status;
        uint256 amount;
        bytes32 hashlock;
    }

    mapping(bytes32 => Lock) private _locks;
    mapping(address => uint256) public nonces;
    uint256 private _entered = 1;

    event Locked(
        bytes32 indexed id,
        address indexed sender,
        address indexed receiver,
        address token,
        uint256 amount,
        bytes32 hashlock,
        uint256 timelock,
        string targetChain,
        string targetAddress
    );
    event Claimed(bytes32 indexed id, bytes32 preimage);
    event Refunded(bytes32 indexed id);

    error ZeroAmount();
    error ZeroReceiver();
    error TimelockNotInFuture(uint256 timelock, uint256 blockTime);
    error TimelockTooFar(uint256 timelock, uint256 maxTimelock);
    error BadTargetChain(uint256 length);
    error BadTargetAddress(uint256 length);
    error ValueMismatch(uint256 value, uint256 amount);
    error NotAContract(address token);
    error TokenTransferFailed(address token);
    error FeeOnTransferNotSupported(uint256 expected, uint256 received);
    error LockExists(bytes32 id);
    error NotOpen(bytes32 id, Status status);
    error Expired(bytes32 id, uint256 timelock);
    error NotExpired(bytes32 id, uint256 timelock);
    error WrongPreimage(bytes32 id);
    error NativeTransferFailed(address to);
    error Reentrancy();

    modifier nonReentrant() {
        if (_entered != 1) revert Reentrancy();
        _entered = 2;
        _;
        _entered = 1;
    }

    /// @notice Locks `amount` of `token` (address(0) = native ETH, then msg.value must equal amount).
    /// @return id unique per lock: keccak of chain id, this contract, sender, the sender's nonce and the fields.
    function lock(
        address receiver,
        address token,
        uint256 amount,
        bytes32 hashlock,
        uint256 timelock,
        string calldata targetChain,
        string calldata targetAddress
    ) external payable nonReentrant returns (bytes32 id) {
        if (amount == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroReceiver();
        if (timelock <= block.timestamp) revert TimelockNotInFuture(timelock, block.timestamp);
        if (timelock > block.timestamp + MAX_TIMELOCK_HORIZON) {
            revert TimelockTooFar(timelock, block.timestamp + MAX_TIMELOCK_HORIZON);
        }
        uint256 chainLen = bytes(targetChain).length;
        if (chainLen == 0 || chainLen > MAX_TARGET_LENGTH) revert BadTargetChain(chainLen);
        uint256 addrLen = bytes(targetAddress).length;
        if (addrLen == 0 || addrLen > MAX_TARGET_LENGTH) revert BadTargetAddress(addrLen);

        uint256 nonce = nonces[msg.sender]++;
        id = keccak256(abi.encode(
            block.chainid, address(this), msg.sender, nonce, receiver, token, amount, hashlock, timelock,
            keccak256(bytes(targetChain)), keccak256(bytes(targetAddress))));
        if (_locks[id].status != Status.None) revert LockExists(id);

        if (token == address(0)) {
            if (msg.value != amount) revert ValueMismatch(msg.value, amount);
        } else {
            if (msg.value != 0) revert ValueMismatch(msg.value, 0);
            if (token.code.length == 0) revert NotAContract(token);
            uint256 before = IERC20Like(token).balanceOf(address(this));
            _callToken(token, abi.encodeWithSelector(0x23b872dd, msg.sender, address(this), amount)); // transferFrom
            uint256 received = IERC20Like(token).balanceOf(address(this)) - before;
            if (received != amount) revert FeeOnTransferNotSupported(amount, received);
        }

        _locks[id] = Lock({
            sender: msg.sender,
            receiver: receiver,
            token: token,
            timelock: uint64(timelock),
            status: Status.Open,
            amount: amount,
            hashlock: hashlock
        });
        emit Locked(id, msg.sender, receiver, token, amount, hashlock, timelock, targetChain, targetAddress);
    }

    /// @notice Pays the lock to its receiver if sha256(preimage) is the hashlock and the timelock has not passed.
    function claim(bytes32 id, bytes32 preimage) external nonReentrant {
        Lock storage l = _locks[id];
        if (l.status != Status.Open) revert NotOpen(id, l.status);
        if (block.timestamp >= l.timelock) revert Expired(id, l.timelock);
        if (sha256(abi.encodePacked(preimage)) != l.hashlock) revert WrongPreimage(id);
        l.status = Status.Claimed; // effects before the transfer
        emit Claimed(id, preimage);
        _pay(l.token, l.receiver, l.amount);
    }

    /// @notice Pays the lock back to its sender once the timelock has passed.
    function refund(bytes32 id) external nonReentrant {
        Lock storage l = _locks[id];
        if (l.status != Status.Open) revert NotOpen(id, l.status);
        if (block.timestamp < l.timelock) revert NotExpired(id, l.timelock);
        l.status = Status.Refunded;
        emit Refunded(id);
        _pay(l.token, l.sender, l.amount);
    }

    /// @notice The stored lock; status 0 means no such lock.
    function getLock(bytes32 id) external view returns (
        address sender,
        address receiver,
        address token,
        uint256 amount,
        bytes32 hashlock,
        uint256 timelock,
        Status status
    ) {
        Lock storage l = _locks[id];
        return (l.sender, l.receiver, l.token, l.amount, l.hashlock, l.timelock, l.status);
    }

    function _pay(address token, address to, uint256 amount) private {
        if (token == address(0)) {
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert NativeTransferFailed(to);
        } else {
            _callToken(token, abi.encodeWithSelector(0xa9059cbb, to, amount)); // transfer
        }
    }

    /// @dev Accepts tokens that return nothing (e.g. USDT) as well as those returning true; reverts on a revert,
    /// on `false`, and on malformed return data.
    function _callToken(address token, bytes memory data) private {
        (bool ok, bytes memory ret) = token.call(data);
        if (!ok) revert TokenTransferFailed(token);
        if (ret.length != 0) {
            if (ret.length != 32 || abi.decode(ret, (uint256)) != 1) revert TokenTransferFailed(token);
        }
    }
}
