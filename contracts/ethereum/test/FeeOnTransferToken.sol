// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import "./TestToken.sol";

/// @dev Burns 1% of every transfer, so the recipient gets less than the amount sent.
contract FeeOnTransferToken is TestToken {
    function _move(address from, address to, uint256 amount) internal override {
        require(balanceOf[from] >= amount, "balance");
        uint256 fee = amount / 100;
        balanceOf[from] -= amount;
        balanceOf[to] += amount - fee;
        totalSupply -= fee;
        emit Transfer(from, to, amount - fee);
    }
}
