// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IERC20Minimal {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

interface IERC1155ReceiverMinimal {
    function onERC1155Received(address operator, address from, uint256 id, uint256 value, bytes calldata data)
        external
        returns (bytes4);
    function onERC1155BatchReceived(
        address operator,
        address from,
        uint256[] calldata ids,
        uint256[] calldata values,
        bytes calldata data
    ) external returns (bytes4);
}

/// @title TestConditionalTokens
/// @notice A minimal stand-in for the Gnosis ConditionalTokens (CTF) ERC-1155 contract used by
///         Polymarket (polymarket-protocol.md §7.4–§7.6). Same function names, argument order,
///         event signatures and revert reason before resolution; same conditionId and positionId
///         formulas.
/// @dev DIFFERENCES from the deployed CTF, on purpose:
///      - getCollectionId is a plain keccak256(parentCollectionId, conditionId, indexSet), not the
///        alt_bn128 point encoding of the deployed contract. Off-chain code must therefore never
///        compute ids itself; it reads them from getCollectionId/getPositionId (view calls).
///      - Only parentCollectionId == 0 (no nested positions) and only full partitions of the
///        outcome slots are supported by split/merge.
contract TestConditionalTokens {
    // ---- ERC-1155 storage ----
    mapping(uint256 => mapping(address => uint256)) private _balances;
    mapping(address => mapping(address => bool)) private _operatorApprovals;

    // ---- CTF storage ----
    /// @notice Payout numerators per condition; length == outcome slot count once prepared.
    mapping(bytes32 => uint256[]) public payoutNumerators;
    /// @notice Sum of the numerators; 0 until the oracle reported (> 0 means resolved).
    mapping(bytes32 => uint256) public payoutDenominator;

    event TransferSingle(
        address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value
    );
    event TransferBatch(
        address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values
    );
    event ApprovalForAll(address indexed account, address indexed operator, bool approved);

    event ConditionPreparation(
        bytes32 indexed conditionId, address indexed oracle, bytes32 indexed questionId, uint256 outcomeSlotCount
    );
    event ConditionResolution(
        bytes32 indexed conditionId,
        address indexed oracle,
        bytes32 indexed questionId,
        uint256 outcomeSlotCount,
        uint256[] payoutNumerators
    );
    event PositionSplit(
        address indexed stakeholder,
        address collateralToken,
        bytes32 indexed parentCollectionId,
        bytes32 indexed conditionId,
        uint256[] partition,
        uint256 amount
    );
    event PositionsMerge(
        address indexed stakeholder,
        address collateralToken,
        bytes32 indexed parentCollectionId,
        bytes32 indexed conditionId,
        uint256[] partition,
        uint256 amount
    );
    event PayoutRedemption(
        address indexed redeemer,
        address indexed collateralToken,
        bytes32 indexed parentCollectionId,
        bytes32 conditionId,
        uint256[] indexSets,
        uint256 payout
    );

    // ---- conditions ----

    function prepareCondition(address oracle, bytes32 questionId, uint256 outcomeSlotCount) external {
        require(outcomeSlotCount <= 256, "too many outcome slots");
        require(outcomeSlotCount > 1, "there should be more than one outcome slot");
        bytes32 conditionId = getConditionId(oracle, questionId, outcomeSlotCount);
        require(payoutNumerators[conditionId].length == 0, "condition already prepared");
        payoutNumerators[conditionId] = new uint256[](outcomeSlotCount);
        emit ConditionPreparation(conditionId, oracle, questionId, outcomeSlotCount);
    }

    /// @notice Called by the oracle; the condition is derived from msg.sender, as in the CTF.
    function reportPayouts(bytes32 questionId, uint256[] calldata payouts) external {
        uint256 outcomeSlotCount = payouts.length;
        require(outcomeSlotCount > 1, "there should be more than one outcome slot");
        bytes32 conditionId = getConditionId(msg.sender, questionId, outcomeSlotCount);
        require(payoutNumerators[conditionId].length == outcomeSlotCount, "condition not prepared or found");
        require(payoutDenominator[conditionId] == 0, "payout denominator already set");
        uint256 den = 0;
        for (uint256 i = 0; i < outcomeSlotCount; i++) {
            den += payouts[i];
            payoutNumerators[conditionId][i] = payouts[i];
        }
        require(den > 0, "payout is all zeroes");
        payoutDenominator[conditionId] = den;
        emit ConditionResolution(conditionId, msg.sender, questionId, outcomeSlotCount, payoutNumerators[conditionId]);
    }

    function getOutcomeSlotCount(bytes32 conditionId) external view returns (uint256) {
        return payoutNumerators[conditionId].length;
    }

    function getConditionId(address oracle, bytes32 questionId, uint256 outcomeSlotCount)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(oracle, questionId, outcomeSlotCount));
    }

    /// @dev Simplified (plain keccak) — differs from the deployed CTF's alt_bn128 encoding.
    function getCollectionId(bytes32 parentCollectionId, bytes32 conditionId, uint256 indexSet)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(parentCollectionId, conditionId, indexSet));
    }

    function getPositionId(address collateralToken, bytes32 collectionId) public pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(collateralToken, collectionId)));
    }

    // ---- split / merge / redeem ----

    function splitPosition(
        address collateralToken,
        bytes32 parentCollectionId,
        bytes32 conditionId,
        uint256[] calldata partition,
        uint256 amount
    ) external {
        uint256[] memory ids = _fullPartitionIds(collateralToken, parentCollectionId, conditionId, partition);
        require(IERC20Minimal(collateralToken).transferFrom(msg.sender, address(this), amount), "could not receive collateral tokens");
        uint256[] memory values = new uint256[](ids.length);
        for (uint256 i = 0; i < ids.length; i++) {
            _balances[ids[i]][msg.sender] += amount;
            values[i] = amount;
        }
        emit TransferBatch(msg.sender, address(0), msg.sender, ids, values);
        emit PositionSplit(msg.sender, collateralToken, parentCollectionId, conditionId, partition, amount);
    }

    function mergePositions(
        address collateralToken,
        bytes32 parentCollectionId,
        bytes32 conditionId,
        uint256[] calldata partition,
        uint256 amount
    ) external {
        uint256[] memory ids = _fullPartitionIds(collateralToken, parentCollectionId, conditionId, partition);
        uint256[] memory values = new uint256[](ids.length);
        for (uint256 i = 0; i < ids.length; i++) {
            uint256 bal = _balances[ids[i]][msg.sender];
            require(bal >= amount, "ERC1155: burn amount exceeds balance");
            _balances[ids[i]][msg.sender] = bal - amount;
            values[i] = amount;
        }
        emit TransferBatch(msg.sender, msg.sender, address(0), ids, values);
        require(IERC20Minimal(collateralToken).transfer(msg.sender, amount), "could not send collateral tokens");
        emit PositionsMerge(msg.sender, collateralToken, parentCollectionId, conditionId, partition, amount);
    }

    /// @notice Burns the caller's entire balance of each listed position and pays
    ///         balance * numerator / denominator in collateral (CTF semantics).
    function redeemPositions(
        address collateralToken,
        bytes32 parentCollectionId,
        bytes32 conditionId,
        uint256[] calldata indexSets
    ) external {
        require(parentCollectionId == bytes32(0), "only root positions supported");
        uint256 den = payoutDenominator[conditionId];
        require(den > 0, "result for condition not received yet");
        uint256 outcomeSlotCount = payoutNumerators[conditionId].length;
        uint256 fullIndexSet = (1 << outcomeSlotCount) - 1;
        uint256 totalPayout = 0;
        for (uint256 i = 0; i < indexSets.length; i++) {
            uint256 indexSet = indexSets[i];
            require(indexSet > 0 && indexSet < fullIndexSet, "got invalid index set");
            uint256 positionId = getPositionId(collateralToken, getCollectionId(parentCollectionId, conditionId, indexSet));
            uint256 num = 0;
            for (uint256 j = 0; j < outcomeSlotCount; j++) {
                if (indexSet & (1 << j) != 0) num += payoutNumerators[conditionId][j];
            }
            uint256 stake = _balances[positionId][msg.sender];
            if (stake > 0) {
                totalPayout += (stake * num) / den;
                _balances[positionId][msg.sender] = 0;
                emit TransferSingle(msg.sender, msg.sender, address(0), positionId, stake);
            }
        }
        if (totalPayout > 0) {
            require(IERC20Minimal(collateralToken).transfer(msg.sender, totalPayout), "could not transfer payout to message sender");
        }
        emit PayoutRedemption(msg.sender, collateralToken, parentCollectionId, conditionId, indexSets, totalPayout);
    }

    function _fullPartitionIds(
        address collateralToken,
        bytes32 parentCollectionId,
        bytes32 conditionId,
        uint256[] calldata partition
    ) private view returns (uint256[] memory ids) {
        require(parentCollectionId == bytes32(0), "only root positions supported");
        require(partition.length > 1, "got empty or singleton partition");
        uint256 outcomeSlotCount = payoutNumerators[conditionId].length;
        require(outcomeSlotCount > 0, "condition not prepared yet");
        uint256 fullIndexSet = (1 << outcomeSlotCount) - 1;
        uint256 seen = 0;
        ids = new uint256[](partition.length);
        for (uint256 i = 0; i < partition.length; i++) {
            uint256 indexSet = partition[i];
            require(indexSet > 0 && indexSet < fullIndexSet, "got invalid index set");
            require(seen & indexSet == 0, "partition not disjoint");
            seen |= indexSet;
            ids[i] = getPositionId(collateralToken, getCollectionId(parentCollectionId, conditionId, indexSet));
        }
        require(seen == fullIndexSet, "only full partitions supported");
    }

    // ---- ERC-1155 ----

    function balanceOf(address account, uint256 id) public view returns (uint256) {
        require(account != address(0), "ERC1155: balance query for the zero address");
        return _balances[id][account];
    }

    function balanceOfBatch(address[] calldata accounts, uint256[] calldata ids)
        external
        view
        returns (uint256[] memory batchBalances)
    {
        require(accounts.length == ids.length, "ERC1155: accounts and ids length mismatch");
        batchBalances = new uint256[](accounts.length);
        for (uint256 i = 0; i < accounts.length; i++) {
            batchBalances[i] = balanceOf(accounts[i], ids[i]);
        }
    }

    function setApprovalForAll(address operator, bool approved) external {
        require(msg.sender != operator, "ERC1155: setting approval status for self");
        _operatorApprovals[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    function isApprovedForAll(address account, address operator) public view returns (bool) {
        return _operatorApprovals[account][operator];
    }

    function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes calldata data) external {
        require(to != address(0), "ERC1155: transfer to the zero address");
        require(from == msg.sender || isApprovedForAll(from, msg.sender), "ERC1155: caller is not owner nor approved");
        uint256 bal = _balances[id][from];
        require(bal >= value, "ERC1155: insufficient balance for transfer");
        _balances[id][from] = bal - value;
        _balances[id][to] += value;
        emit TransferSingle(msg.sender, from, to, id, value);
        if (to.code.length > 0) {
            require(
                IERC1155ReceiverMinimal(to).onERC1155Received(msg.sender, from, id, value, data)
                    == IERC1155ReceiverMinimal.onERC1155Received.selector,
                "ERC1155: got unknown value from onERC1155Received"
            );
        }
    }

    function safeBatchTransferFrom(
        address from,
        address to,
        uint256[] calldata ids,
        uint256[] calldata values,
        bytes calldata data
    ) external {
        require(ids.length == values.length, "ERC1155: IDs and values must have same lengths");
        require(to != address(0), "ERC1155: target address must be non-zero");
        require(from == msg.sender || isApprovedForAll(from, msg.sender), "ERC1155: need operator approval for 3rd party transfers.");
        for (uint256 i = 0; i < ids.length; i++) {
            uint256 bal = _balances[ids[i]][from];
            require(bal >= values[i], "ERC1155: insufficient balance for transfer");
            _balances[ids[i]][from] = bal - values[i];
            _balances[ids[i]][to] += values[i];
        }
        emit TransferBatch(msg.sender, from, to, ids, values);
        if (to.code.length > 0) {
            require(
                IERC1155ReceiverMinimal(to).onERC1155BatchReceived(msg.sender, from, ids, values, data)
                    == IERC1155ReceiverMinimal.onERC1155BatchReceived.selector,
                "ERC1155: got unknown value from onERC1155BatchReceived"
            );
        }
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0xd9b67a26; // ERC-165, ERC-1155
    }
}
