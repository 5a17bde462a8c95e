// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

interface IHtlc {
    function lock(address receiver, address token, uint256 amount, bytes32 hashlock, uint256 timelock,
        string calldata targetChain, string calldata targetAddress) external payable returns (bytes32);
    function claim(bytes32 id, bytes32 preimage) external;
    function refund(bytes32 id) external;
}

/// @dev Receives ETH from the HTLC and tries to re-enter it (claim or refund again) from receive().
/// It records whether re-entry succeeded instead of reverting, so the outer call's result shows the guard.
contract ReentrancyAttacker {
    IHtlc public immutable htlc;
    bytes32 public targetId;
    bytes32 public preimage;
    uint8 public mode; // 0 none, 1 re-claim, 2 re-refund
    uint256 public attempts;
    bool public reentrySucceeded;

    constructor(IHtlc h) {
        htlc = h;
    }

    function arm(bytes32 id, bytes32 pre, uint8 m) external {
        targetId = id;
        preimage = pre;
        mode = m;
    }

    /// Locks ETH with this contract as the sender, so a refund pays it.
    function lockAsSender(address receiver, bytes32 hashlock, uint256 timelock) external payable returns (bytes32) {
        return htlc.lock{value: msg.value}(receiver, address(0), msg.value, hashlock, timelock, "test-1", "attacker");
    }

    function doRefund(bytes32 id) external {
        htlc.refund(id);
    }

    receive() external payable {
        if (mode == 1) {
            attempts++;
            (bool ok, ) = address(htlc).call(abi.encodeCall(IHtlc.claim, (targetId, preimage)));
            reentrySucceeded = reentrySucceeded || ok;
        } else if (mode == 2) {
            attempts++;
            (bool ok, ) = address(htlc).call(abi.encodeCall(IHtlc.refund, (targetId)));
            reentrySucceeded = reentrySucceeded || ok;
        }
    }
}
