using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace WebSocketHandoff.Analyzers
{
    // WSH004: what a Type, an instance, a MemberInfo or an Assembly stands for, through locals, fields and reads by reflection.
    public sealed partial class WebSocketReflectionAnalyzer
    {
        /// <summary>What a value is, for following it through locals and fields.</summary>
        private enum ValueKind
        {
            /// <summary>A <c>Type</c>: which System.Net.WebSockets type it stands for.</summary>
            Type,

            /// <summary>An object: which System.Net.WebSockets type (or internal value) its <c>GetType()</c> returns.</summary>
            Instance,

            /// <summary>A <c>FieldInfo</c>/<c>PropertyInfo</c>/<c>MethodInfo</c>: the type of what its <c>GetValue</c>/<c>Invoke</c> returns.</summary>
            Member,

            /// <summary>An <c>Assembly</c>: whether it is the one that holds a System.Net.WebSockets type.</summary>
            Assembly,
        }

        /// <summary>The System.Net.WebSockets type(s) a <c>Type</c> value can stand for.</summary>
        private sealed class TargetType
        {
            public TargetType(ImmutableArray<INamedTypeSymbol> candidates, string? unresolvedName, string? valueOf = null)
            {
                Candidates = candidates;
                UnresolvedName = unresolvedName;
                ValueOf = valueOf;
            }

            /// <summary>Types the value may be; a member is public when it is public on any of them.</summary>
            public ImmutableArray<INamedTypeSymbol> Candidates { get; }

            /// <summary>A non-public type named by a string that the compilation cannot see (ManagedWebSocket).</summary>
            public string? UnresolvedName { get; }

            /// <summary>
            /// For the runtime type of a value read through reflection from a non-public member (<c>ClientWebSocket._innerWebSocket</c>):
            /// the path of members it was read from. Such a type is unknown; only <c>object</c>'s members are known public on it.
            /// </summary>
            public string? ValueOf { get; }

            public string Display =>
                UnresolvedName ?? (Candidates.Length > 0 ? Candidates[0].Name : Types.WebSocketsNamespace);

            /// <summary>How the message names the type: <c>'ClientWebSocket'</c>, or <c>the type of 'ClientWebSocket._innerWebSocket'</c>.</summary>
            public string Describe() => ValueOf is not null ? "the type of '" + ValueOf + "'" : "'" + Display + "'";

            /// <summary>The dotted path used when a member of this type is read: <c>ClientWebSocket</c> or <c>ClientWebSocket._innerWebSocket</c>.</summary>
            public string Path => ValueOf ?? Display;

            /// <summary>A value that may be any of the given ones (the writes of a local or field).</summary>
            public static TargetType? Merge(List<TargetType> targets)
            {
                if (targets.Count == 0)
                {
                    return null;
                }

                if (targets.Count == 1)
                {
                    return targets[0];
                }

                ImmutableArray<INamedTypeSymbol>.Builder candidates = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
                string? unresolved = null;
                string? valueOf = null;
                foreach (TargetType target in targets)
                {
                    candidates.AddRange(target.Candidates);
                    unresolved ??= target.UnresolvedName;
                    valueOf ??= target.ValueOf;
                }

                return new TargetType(candidates.ToImmutable(), unresolved, valueOf);
            }
        }

        private sealed partial class Analysis
        {
            /// <summary>What System.Net.WebSockets type a <c>Type</c>-valued operation stands for, or null when it is not one (or unknown).</summary>
            private TargetType? ResolveTarget(IOperation operation, int depth) => Resolve(operation, ValueKind.Type, depth);

            /// <summary>
            /// What an operation of the given kind stands for (see <see cref="ValueKind"/>), or null when it is not (known to be)
            /// tied to System.Net.WebSockets.
            /// </summary>
            private TargetType? Resolve(IOperation operation, ValueKind kind, int depth)
            {
                if (Step(depth) > MaxSteps)
                {
                    return null;
                }

                if (kind == ValueKind.Instance && WebSocketsStaticType(operation) is { } staticType)
                {
                    // An instance of a WebSockets type ("(WebSocket)x", "object o = ws"): its runtime type is the static
                    // type or one derived from it.
                    return new TargetType(WithPublicDerivedTypes(staticType), null);
                }

                operation = SkipConversions(operation);

                switch (operation)
                {
                    case ITypeOfOperation typeOf when kind == ValueKind.Type:
                        return typeOf.TypeOperand is INamedTypeSymbol named && IsWebSocketsType(named)
                            ? new TargetType(ImmutableArray.Create(named), null)
                            : null;

                    case IInvocationOperation invocation:
                        return kind switch
                        {
                            ValueKind.Type => ResolveInvocationTarget(invocation, depth),
                            ValueKind.Instance => ResolveReadValue(invocation, depth),
                            ValueKind.Member => IsValueLookup(invocation) ? ResolveLookupValue(invocation, depth) : ResolveListedMemberValue(invocation, depth),
                            _ => ResolveAssemblyInvocation(invocation, depth),
                        };

                    case IPropertyReferenceOperation { Property.Name: "BaseType", Instance: { } derived } when kind == ValueKind.Type:
                        return ResolveTarget(derived, depth + 1) is { } derivedTarget ? BaseTypeOf(derivedTarget) : null;

                    case IPropertyReferenceOperation property when kind == ValueKind.Assembly:
                        return property.Property.Name == "Assembly"
                               && property.Instance is { } typeInstance
                               && ResolveTarget(typeInstance, depth + 1) is { ValueOf: null } target
                            ? target
                            : null;

                    // Locals and fields are followed a few steps only: "t = u; u = t;" must end, and quickly.
                    case ILocalReferenceOperation local when Step(depth) < MaxSymbolDepth:
                        return ResolveLocal(local, kind, depth);

                    case IFieldReferenceOperation field when Step(depth) < MaxSymbolDepth:
                        return ResolveField(field, kind, depth);

                    // "x?.…" costs no step: the receiver and the access are parts of one expression, and the walk from the
                    // access to its receiver only goes down the tree ("h?.GetType()" of "object? h = f?.GetValue(ws)").
                    case IConditionalAccessInstanceOperation conditionalInstance:
                        return ConditionalReceiver(conditionalInstance) is { } receiver ? Resolve(receiver, kind, depth) : null;

                    case IConditionalAccessOperation conditional:
                        return Resolve(conditional.WhenNotNull, kind, depth);

                    default:
                        return null;
                }
            }

            /// <summary>The System.Net.WebSockets type of an operation, before or after its conversions.</summary>
            private static INamedTypeSymbol? WebSocketsStaticType(IOperation operation)
            {
                for (IOperation? current = operation; current is not null; current = (current as IConversionOperation)?.Operand)
                {
                    if (current.Type is INamedTypeSymbol named && IsWebSocketsType(named))
                    {
                        return named;
                    }
                }

                return null;
            }

            /// <summary>
            /// <c>t.BaseType</c>: the base types that are System.Net.WebSockets types (a type named by a string, ManagedWebSocket,
            /// derives from WebSocket; the base of an internal value read through reflection is as unknown as the value).
            /// </summary>
            private TargetType? BaseTypeOf(TargetType target)
            {
                if (target.ValueOf is not null)
                {
                    return target;
                }

                if (target.UnresolvedName is not null)
                {
                    return new TargetType(ImmutableArray.Create(_webSocket), null);
                }

                ImmutableArray<INamedTypeSymbol>.Builder bases = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
                foreach (INamedTypeSymbol candidate in target.Candidates)
                {
                    if (candidate.BaseType is { } baseType && IsWebSocketsType(baseType))
                    {
                        bases.Add(baseType);
                    }
                }

                return bases.Count > 0 ? new TargetType(bases.ToImmutable(), null) : null;
            }

            /// <summary>
            /// The runtime type of what reflection read: <c>member.GetValue(x)</c>, <c>member.Invoke(…)</c> or
            /// <c>type.InvokeMember(…)</c>, where the member was looked up on a System.Net.WebSockets type.
            /// </summary>
            private TargetType? ResolveReadValue(IInvocationOperation invocation, int depth)
            {
                IMethodSymbol method = invocation.TargetMethod;
                switch (method.Name)
                {
                    case "InvokeMember" when IsBclReflectionMethod(method):
                        return ResolveLookupValue(invocation, depth);

                    case "GetValue" or "Invoke" when invocation.Instance is { } member && IsInNamespace(method.ContainingType, "System.Reflection"):
                        return Resolve(member, ValueKind.Member, depth + 1);

                    default:
                        return ResolveInstanceHelperValue(invocation, depth);
                }
            }

            /// <summary>A lookup of one member whose value can be read (<c>GetField</c>, <c>GetProperty</c>, …, or a user helper returning a MemberInfo).</summary>
            private bool IsValueLookup(IInvocationOperation invocation)
            {
                IMethodSymbol method = invocation.TargetMethod;
                if (s_valueLookupNames.Contains(method.Name) && IsBclReflectionMethod(method))
                {
                    return true;
                }

                return IsMemberInfo(method.ReturnType) && IsHelperShape(method);
            }

            /// <summary><c>System.Reflection.MemberInfo</c> or a type derived from it (by name: no lookup per compilation).</summary>
            private static bool IsMemberInfo(ITypeSymbol type)
            {
                for (INamedTypeSymbol? current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
                {
                    if (current.Name == "MemberInfo" && IsInNamespace(current, "System.Reflection"))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>
            /// The runtime type of the value of a member found by a lookup: a lookup that reaches a non-public member of a
            /// WebSockets type reads an internal value of unknown type (followed, as a further hop of the chain); a public
            /// member is followed only when its declared type is itself a System.Net.WebSockets type.
            /// </summary>
            private TargetType? ResolveLookupValue(IInvocationOperation invocation, int depth)
            {
                IMethodSymbol method = invocation.TargetMethod;
                bool isHelper = !IsBclReflectionMethod(method);
                IOperation? typeOperand = LookupTypeOperand(invocation, isHelper);
                if (typeOperand is null || NextHop(depth) is not int hop || ResolveTarget(typeOperand, hop) is not { } target)
                {
                    return null;
                }

                if (method.Name == "GetConstructor")
                {
                    // ctor.Invoke(…) builds an instance of the type itself.
                    return target;
                }

                string? name = ConstantString(NameArgument(invocation, isHelper));
                if (!Reaches(target, method.Name, name, ConstantFlags(invocation), isHelper))
                {
                    return name is not null && PublicMemberType(target, name) is { } memberType
                        ? new TargetType(WithPublicDerivedTypes(memberType), null)
                        : null;
                }

                return new TargetType(ImmutableArray.Create(_object), null, target.Path + "." + (name ?? "…"));
            }

            /// <summary>The declared type of a public member of that name, when it is a System.Net.WebSockets type.</summary>
            private static INamedTypeSymbol? PublicMemberType(TargetType target, string name)
            {
                foreach (INamedTypeSymbol candidate in target.Candidates)
                {
                    for (INamedTypeSymbol? current = candidate; current is not null; current = current.BaseType)
                    {
                        foreach (ISymbol member in current.GetMembers(name))
                        {
                            ITypeSymbol? type = member.DeclaredAccessibility != Accessibility.Public
                                ? null
                                : member switch
                                {
                                    IFieldSymbol field => field.Type,
                                    IPropertySymbol property => property.Type,
                                    IMethodSymbol { MethodKind: MethodKind.Ordinary } method => method.ReturnType,
                                    _ => null,
                                };
                            if (type is INamedTypeSymbol named && IsWebSocketsType(named))
                            {
                                return named;
                            }
                        }
                    }
                }

                return null;
            }

            /// <summary><c>Assembly.Load("System.Net.WebSockets…")</c> or <c>Assembly.GetAssembly(typeof(WebSocket))</c>.</summary>
            private TargetType? ResolveAssemblyInvocation(IInvocationOperation invocation, int depth)
            {
                IMethodSymbol method = invocation.TargetMethod;
                if (!method.IsStatic || !InheritsFrom(method.ContainingType, _assembly) || invocation.Arguments.Length == 0)
                {
                    return null;
                }

                IOperation argument = invocation.Arguments[0].Value;
                switch (method.Name)
                {
                    case "Load" when ConstantString(argument) is string assemblyName
                                     && (assemblyName == Types.WebSocketsNamespace || assemblyName.StartsWith(WebSocketsNamespacePrefix, StringComparison.Ordinal)
                                         || assemblyName.StartsWith(Types.WebSocketsNamespace + ",", StringComparison.Ordinal)):
                        return new TargetType(ImmutableArray.Create(_webSocket), null);

                    case "GetAssembly":
                        return ResolveTarget(argument, depth + 1) is { ValueOf: null } target ? target : null;

                    default:
                        return null;
                }
            }

            /// <summary>The value <c>x</c> of <c>x?.GetField(…)</c> that the conditional-access instance stands for.</summary>
            private static IOperation? ConditionalReceiver(IConditionalAccessInstanceOperation instance)
            {
                IOperation child = instance;
                for (IOperation? parent = instance.Parent; parent is not null; child = parent, parent = parent.Parent)
                {
                    if (parent is IConditionalAccessOperation access && access.WhenNotNull == child)
                    {
                        return access.Operation;
                    }
                }

                return null;
            }

            private TargetType? ResolveInvocationTarget(IInvocationOperation invocation, int depth)
            {
                IMethodSymbol method = invocation.TargetMethod;
                switch (method.Name)
                {
                    case "GetType" when method.Parameters.Length == 0 && !method.IsStatic
                                        && method.ContainingType.SpecialType == SpecialType.System_Object:
                        // ws.GetType(), or field.GetValue(ws).GetType() of a chain into WebSocket internals.
                        return invocation.Instance is null ? null : Resolve(invocation.Instance, ValueKind.Instance, depth + 1);

                    case "First" or "FirstOrDefault" or "Single" or "SingleOrDefault" or "Last" or "LastOrDefault":
                        {
                            // asm.GetTypes().First(t => t.Name == "ManagedWebSocket").
                            string? searched = SearchedTypeName(invocation, depth);
                            return searched is null ? null : new TargetType(ImmutableArray.Create(_webSocket), searched);
                        }

                    case "GetType" when IsGetTypeByName(method):
                        return TypeNamed(ConstantString(FirstArgumentOfType(invocation, SpecialType.System_String)));

                    case "GetTypeInfo" when invocation.Arguments.Length == 1:
                        return ResolveTarget(invocation.Arguments[0].Value, depth + 1);

                    case "AsType" when invocation.Instance is not null && method.Parameters.Length == 0:
                        return ResolveTarget(invocation.Instance, depth + 1);

                    default:
                        // FindType("System.Net.WebSockets.ManagedWebSocket"): your own helper around Type.GetType(name).
                        return SymbolEqualityComparer.Default.Equals(method.ReturnType, _systemType) && !method.DeclaringSyntaxReferences.IsEmpty
                            ? TypeNamed(HelperTypeName(invocation))
                            : null;
                }
            }

            /// <summary>A local whose every write resolves (as a value of the given kind).</summary>
            private TargetType? ResolveLocal(ILocalReferenceOperation reference, ValueKind kind, int depth)
            {
                ILocalSymbol local = reference.Local;
                IOperation root = reference;
                while (root.Parent is not null)
                {
                    root = root.Parent;
                }

                var targets = new List<TargetType>();
                foreach (IOperation operation in root.Descendants())
                {
                    IOperation? value = null;
                    if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
                    {
                        value = declarator.Initializer?.Value;
                        if (value is null)
                        {
                            // foreach (var t in asm.GetTypes()) { if (t.Name == "ManagedWebSocket") … }: inside that loop, t
                            // stands for the type looked for.
                            if (kind == ValueKind.Type
                                && declarator.Parent is IForEachLoopOperation loop
                                && LoopSearchedTypeName(loop, depth + 1) is string searched)
                            {
                                targets.Add(new TargetType(ImmutableArray.Create(_webSocket), searched));
                            }

                            continue;
                        }
                    }
                    else if (operation is ILocalReferenceOperation other && SymbolEqualityComparer.Default.Equals(other.Local, local))
                    {
                        IOperation? parent = other.Parent;
                        if (parent is ISimpleAssignmentOperation assignment && assignment.Target == other)
                        {
                            value = assignment.Value;
                        }
                        else if (parent is IAssignmentOperation compound && compound.Target == other)
                        {
                            return null;
                        }
                        else if (parent is ICoalesceAssignmentOperation coalesce && coalesce.Target == other)
                        {
                            value = coalesce.Value;
                        }
                        else if (parent is IArgumentOperation { Parameter: { RefKind: RefKind.Out or RefKind.Ref } })
                        {
                            return null;
                        }
                        else if (other.IsDeclaration || parent is IDeconstructionAssignmentOperation || parent is ITupleOperation)
                        {
                            return null;
                        }
                        else
                        {
                            continue;
                        }
                    }
                    else
                    {
                        continue;
                    }

                    // "t = t.BaseType" (or "t = t?.BaseType") in a walk up the hierarchy: the base types of what the other
                    // writes give (or object).
                    if (kind == ValueKind.Type && IsBaseTypeOf(value, local))
                    {
                        continue;
                    }

                    TargetType? target = Resolve(value, kind, depth + 1);
                    if (target is null)
                    {
                        return null;
                    }

                    targets.Add(target);
                }

                return TargetType.Merge(targets);
            }

            /// <summary><c>t.BaseType</c> or <c>t?.BaseType</c> of the local <c>t</c> itself.</summary>
            private static bool IsBaseTypeOf(IOperation value, ILocalSymbol local)
            {
                value = SkipConversions(value);
                IOperation? instance = value switch
                {
                    IPropertyReferenceOperation { Property.Name: "BaseType", Instance: { } direct } => direct,
                    IConditionalAccessOperation { WhenNotNull: IPropertyReferenceOperation { Property.Name: "BaseType" } } conditional => conditional.Operation,
                    _ => null,
                };

                return instance is not null
                    && SkipConversions(instance) is ILocalReferenceOperation self
                    && SymbolEqualityComparer.Default.Equals(self.Local, local);
            }

            /// <summary>
            /// A field whose every write resolves (as a value of the given kind): its initializer and each <c>=</c>/<c>??=</c> in
            /// its type. Only where every write can be seen in this file: the field is private or readonly, and its type is
            /// declared in this file only.
            /// </summary>
            private TargetType? ResolveField(IFieldReferenceOperation reference, ValueKind kind, int depth)
            {
                IFieldSymbol field = reference.Field;
                SemanticModel? model = reference.SemanticModel;
                SyntaxTree tree = reference.Syntax.SyntaxTree;
                if (model is null
                    || (!field.IsReadOnly && field.DeclaredAccessibility != Accessibility.Private)
                    || field.DeclaringSyntaxReferences.IsEmpty
                    || field.ContainingType.DeclaringSyntaxReferences.IsEmpty)
                {
                    return null;
                }

                var values = new List<ExpressionSyntax>();
                foreach (SyntaxReference declarator in field.DeclaringSyntaxReferences)
                {
                    if (declarator.SyntaxTree != tree)
                    {
                        return null;
                    }

                    if (declarator.GetSyntax() is VariableDeclaratorSyntax { Initializer: { } initializer })
                    {
                        values.Add(initializer.Value);
                    }
                }

                foreach (SyntaxReference typeDeclaration in field.ContainingType.DeclaringSyntaxReferences)
                {
                    if (typeDeclaration.SyntaxTree != tree)
                    {
                        return null;
                    }

                    foreach (SyntaxNode node in typeDeclaration.GetSyntax().DescendantNodes())
                    {
                        if (node is not IdentifierNameSyntax identifier || identifier.Identifier.ValueText != field.Name)
                        {
                            continue;
                        }

                        // The written expression: "f" or "this.f".
                        ExpressionSyntax target = identifier.Parent is MemberAccessExpressionSyntax memberAccess && memberAccess.Name == identifier
                            ? memberAccess
                            : identifier;
                        bool assigned = target.Parent is AssignmentExpressionSyntax assignment && assignment.Left == target;
                        bool byReference = target.Parent is ArgumentSyntax argument
                            && (!argument.RefKindKeyword.IsKind(SyntaxKind.None) || IsDeconstructionTarget(argument));
                        if ((!assigned && !byReference)
                            || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier).Symbol, field))
                        {
                            continue;
                        }

                        if (byReference
                            || target.Parent is not AssignmentExpressionSyntax write
                            || !(write.IsKind(SyntaxKind.SimpleAssignmentExpression) || write.IsKind(SyntaxKind.CoalesceAssignmentExpression)))
                        {
                            return null;
                        }

                        values.Add(write.Right);
                    }
                }

                var targets = new List<TargetType>();
                foreach (ExpressionSyntax value in values)
                {
                    if (model.GetOperation(value) is not { } operation || Resolve(operation, kind, depth + 1) is not { } target)
                    {
                        return null;
                    }

                    targets.Add(target);
                }

                return TargetType.Merge(targets);
            }

            /// <summary>An element of <c>(a, b) = …</c>, at any depth of nesting.</summary>
            private static bool IsDeconstructionTarget(ArgumentSyntax argument)
            {
                SyntaxNode current = argument;
                while (current.Parent is TupleExpressionSyntax tuple)
                {
                    if (tuple.Parent is AssignmentExpressionSyntax assignment && assignment.Left == tuple)
                    {
                        return true;
                    }

                    if (tuple.Parent is not ArgumentSyntax outer)
                    {
                        return false;
                    }

                    current = outer;
                }

                return false;
            }

            private bool IsPublicName(TargetType target, string name)
            {
                if (s_knownPublicMembers.Contains(name))
                {
                    return true;
                }

                foreach (INamedTypeSymbol candidate in target.Candidates)
                {
                    if (PublicNames(candidate).Contains(name))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>Names of the public members of a type, its base types and (for interfaces) its interfaces.</summary>
            private ImmutableHashSet<string> PublicNames(INamedTypeSymbol type) =>
                _publicNames.GetOrAdd(type, static t =>
                {
                    ImmutableHashSet<string>.Builder names = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
                    for (INamedTypeSymbol? current = t; current is not null; current = current.BaseType)
                    {
                        AddPublicNames(current, names);
                    }

                    foreach (INamedTypeSymbol @interface in t.AllInterfaces)
                    {
                        AddPublicNames(@interface, names);
                    }

                    return names.ToImmutable();
                });

            private static void AddPublicNames(INamedTypeSymbol type, ImmutableHashSet<string>.Builder names)
            {
                foreach (ISymbol member in type.GetMembers())
                {
                    if (member.DeclaredAccessibility == Accessibility.Public)
                    {
                        names.Add(member.Name);
                    }
                }
            }

            /// <summary>The static type plus, when it is not sealed, the public System.Net.WebSockets types derived from it.</summary>
            private ImmutableArray<INamedTypeSymbol> WithPublicDerivedTypes(INamedTypeSymbol type)
            {
                if (type.IsSealed || type.IsValueType)
                {
                    return ImmutableArray.Create(type);
                }

                ImmutableArray<INamedTypeSymbol>.Builder result = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
                result.Add(type);
                foreach (INamedTypeSymbol candidate in NamespaceTypes())
                {
                    if (!SymbolEqualityComparer.Default.Equals(candidate, type) && InheritsFrom(candidate, type))
                    {
                        result.Add(candidate);
                    }
                }

                return result.ToImmutable();
            }

            private ImmutableArray<INamedTypeSymbol> NamespaceTypes()
            {
                if (_namespaceTypes.IsDefault)
                {
                    INamespaceSymbol? ns = _webSocket.ContainingNamespace;
                    ImmutableArray<INamedTypeSymbol> types = ns is null
                        ? ImmutableArray<INamedTypeSymbol>.Empty
                        : _compilation.GetCompilationNamespace(ns)?.GetTypeMembers() ?? ns.GetTypeMembers();
                    ImmutableInterlocked.InterlockedInitialize(ref _namespaceTypes, types);
                }

                return _namespaceTypes;
            }
        }
    }
}
