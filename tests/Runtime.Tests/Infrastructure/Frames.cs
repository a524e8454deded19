using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Threading.Tasks;

namespace WebSocketHandoff.Tests.Infrastructure;

/// <summary>Hand-written RFC 6455 frames, for tests that need exact bytes and exact segmentation.</summary>
internal static class Frames
{
    public const int Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10;

    public static byte[] Build(int opcode, ReadOnlySpan<byte> payload, bool fin = true, bool masked = false, int rsv = 0)
    {
        int extended = payload.Length < 126 ? 0 : payload.Length <= ushort.MaxValue ? 2 : 8;
        var frame = new byte[2 + extended + (masked ? 4 : 0) + payload.Length];
        frame[0] = (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        frame[1] = (byte)((masked ? 0x80 : 0) | (extended == 0 ? payload.Length : extended == 2 ? 126 : 127));
        if (extended == 2)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else if (extended == 8)
        {
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }

        int offset = 2 + extended;
        if (masked)
        {
            Span<byte> mask = frame.AsSpan(offset, 4);
            RandomNumberGenerator.Fill(mask);
            offset += 4;
            for (int i = 0; i < payload.Length; i++)
            {
                frame[offset + i] = (byte)(payload[i] ^ mask[i % 4]);
            }
        }
        else
        {
            payload.CopyTo(frame.AsSpan(offset));
        }

        return frame;
    }

    /// <summary>A frame as read off the wire, payload unmasked.</summary>
    public sealed record Frame(bool Fin, int Opcode, bool Masked, byte[] Payload);

    /// <summary>Reads one frame from a raw stream (the test's view of what the helper wrote).</summary>
    public static async Task<Frame> ReadAsync(Stream stream)
    {
        byte[] head = await Bounded.ReadExactlyAsync(stream, 2);
        int length7 = head[1] & 0x7F;
        bool masked = (head[1] & 0x80) != 0;
        long length = length7;
        if (length7 == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(await Bounded.ReadExactlyAsync(stream, 2));
        }
        else if (length7 == 127)
        {
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(await Bounded.ReadExactlyAsync(stream, 8));
        }

        byte[] mask = masked ? await Bounded.ReadExactlyAsync(stream, 4) : Array.Empty<byte>();
        byte[] payload = await Bounded.ReadExactlyAsync(stream, checked((int)length));
        if (masked)
        {
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] ^= mask[i % 4];
            }
        }

        return new Frame((head[0] & 0x80) != 0, head[0] & 0x0F, masked, payload);
    }

    /// <summary>
    /// Reads frames until one with <paramref name="stopAt"/> (a data frame with FIN) arrives; returns the frames read.
    /// Control frames before it are allowed (keep-alive); anything that is not a well-formed frame fails the caller's checks.
    /// </summary>
    public static async Task<List<Frame>> ReadUntilFinalAsync(Stream stream)
    {
        var frames = new List<Frame>();
        while (true)
        {
            Frame frame = await ReadAsync(stream);
            frames.Add(frame);
            if (frame.Opcode is Text or Binary or Continuation && frame.Fin)
            {
                return frames;
            }
        }
    }

    /// <summary>Parses one frame at <paramref name="offset"/> of a byte array, advancing it.</summary>
    public static Frame Parse(byte[] bytes, ref int offset)
    {
        using var stream = new MemoryStream(bytes, offset, bytes.Length - offset);
        Frame frame = ReadAsync(stream).GetAwaiter().GetResult();
        offset += (int)stream.Position;
        return frame;
    }

    public static byte[] Concat(params byte[][] parts)
    {
        using var all = new MemoryStream();
        foreach (byte[] part in parts)
        {
            all.Write(part);
        }

        return all.ToArray();
    }

    public static byte[] RandomBytes(int count, Random? random = null)
    {
        var bytes = new byte[count];
        (random ?? Random.Shared).NextBytes(bytes);
        return bytes;
    }
}
