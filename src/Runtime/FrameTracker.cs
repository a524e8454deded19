using System;

namespace WebSocketHandoff
{
    /// <summary>
    /// Follows the frame boundaries of the bytes handed to the WebSocket, reading only as much of each header
    /// (RFC 6455 §5.2: FIN/opcode, 7/16/64-bit length, mask) as it takes to know where the frame ends.
    /// It validates nothing: protocol errors are the WebSocket's to report, so a hostile header only moves the boundary.
    /// </summary>
    internal struct FrameTracker
    {
        private const int MinHeaderLength = 2;

        private byte _first;
        private int _headerSeen;
        private int _headerLength;
        private int _lengthEnd;
        private ulong _declaredLength;
        // A declared length is an untrusted 64-bit number: it is only ever compared with, and decremented by,
        // counts of bytes really seen, so it can neither overflow nor size an allocation.
        private ulong _payloadRemaining;

        /// <summary>True until the first byte of the next frame is seen.</summary>
        public readonly bool AtFrameStart => _headerSeen == 0;

        /// <summary>True while header bytes are still expected (including at the frame start).</summary>
        public readonly bool InHeader => _headerSeen == 0 || _headerSeen < _headerLength;

        /// <summary>Opcode of the current frame (valid once its first byte is seen).</summary>
        public readonly int Opcode => _first & 0x0F;

        /// <summary>Whether the current frame is a control frame (close, ping, pong or a reserved control opcode).</summary>
        public readonly bool IsControl => (_first & 0x08) != 0;

        /// <summary>Whether the current frame has its FIN bit set.</summary>
        public readonly bool IsFinal => (_first & 0x80) != 0;

        /// <summary>Payload bytes of the current frame not handed on yet (valid in the payload phase).</summary>
        public readonly ulong PayloadRemaining => _payloadRemaining;

        /// <summary>
        /// Accounts for the first bytes of <paramref name="bytes"/>, staying within one phase (header or payload) of
        /// the current frame, and returns how many it took. <paramref name="frameEnded"/> tells that they completed it.
        /// </summary>
        public int Advance(ReadOnlySpan<byte> bytes, out bool frameEnded)
        {
            frameEnded = false;
            if (bytes.IsEmpty)
            {
                return 0;
            }

            if (InHeader)
            {
                int taken = 0;
                while (taken < bytes.Length && InHeader)
                {
                    AcceptHeaderByte(bytes[taken++]);
                }

                if (!InHeader && _payloadRemaining == 0)
                {
                    frameEnded = true;
                }

                return taken;
            }

            int count = (ulong)bytes.Length < _payloadRemaining ? bytes.Length : (int)_payloadRemaining;
            _payloadRemaining -= (ulong)count;
            frameEnded = _payloadRemaining == 0;
            return count;
        }

        /// <summary>Forgets the finished frame so that the next byte starts a new header.</summary>
        public void StartNextFrame()
        {
            _first = 0;
            _headerSeen = 0;
            _headerLength = 0;
            _lengthEnd = 0;
            _declaredLength = 0;
            _payloadRemaining = 0;
        }

        private void AcceptHeaderByte(byte b)
        {
            int index = _headerSeen++;
            if (index == 0)
            {
                _first = b;
                _headerLength = MinHeaderLength;
                return;
            }

            if (index == 1)
            {
                int length7 = b & 0x7F;
                int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
                int mask = (b & 0x80) != 0 ? 4 : 0;
                _lengthEnd = MinHeaderLength + extended;
                _headerLength = _lengthEnd + mask;
                _declaredLength = extended == 0 ? (ulong)length7 : 0;
            }
            else if (index < _lengthEnd)
            {
                _declaredLength = (_declaredLength << 8) | b;
            }

            if (_headerSeen == _headerLength)
            {
                _payloadRemaining = _declaredLength;
            }
        }
    }
}
