// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// @title DevToken — a plain ERC-20 for local chains and the demo (never for a real network).
/// @notice 18 decimals; only the deployer may mint. Returns bool like the standard; no fees, no hooks.
/// @dev The tests' TestToken is this token with an open mint (`mint` and `_move` are virtual for it and its
///      fee-taking child); this contract's own behaviour is the same either way.
contract DevToken {
    string public constant name = "EVMore Dev Token";
    string public constant symbol = "DEV";
    uint8 public constant decimals = 18;
    address public immutable minter;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor() {
        minter = msg.sender;
    }

    function mint(address to, uint256 amount) external virtual {
        require(msg.sender == minter, "DevToken: only the deployer mints");
        _mint(to, amount);
    }

    function _mint(address to, uint256 amount) internal {
        require(to != address(0), "DevToken: mint to the zero address");
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 a = allowance[from][msg.sender];
        require(a >= amount, "DevToken: allowance");
        if (a != type(uint256).max) allowance[from][msg.sender] = a - amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) internal virtual {
        require(to != address(0), "DevToken: transfer to the zero address");
        require(balanceOf[from] >= amount, "DevToken: balance");
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
